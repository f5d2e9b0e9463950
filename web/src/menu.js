// The side menu as data. Each entry becomes a child route of the main
// layout and, for users it allows, a menu item.
//   path       route path under "/"
//   name       route name
//   titleKey   i18n key of the menu text, breadcrumb and page title
//   icon       Element Plus icon component
//   roles      role ids allowed to open it; null means every logged-in user
//   capability a capability from ME.capabilities the user must hold, or
//              absent; the server decides who holds it, so entries for
//              accounts and audit follow it rather than role names
//   component  lazy view loader (one chunk per view)
//   group      id of the sub-menu it sits in (title "menuGroups.<id>"), or
//              absent for a top-level item; a group's entries are adjacent
import {
    Avatar, Bell, Coffee, DataBoard, Document, Flag, Grid, HomeFilled, Key,
    MapLocation, OfficeBuilding, Setting, Shop, Tickets, UploadFilled,
    UserFilled,
} from '@element-plus/icons-vue'

// Role groups, named after who they are (see DESIGN.md on scope).
const GRID_STAFF = ['grid_worker', 'grid_chief', 'household_chief']
const COMMUNITY_STAFF = ['community_worker', 'community_secretary']
const COMMAND = ['street_center', 'district_admin']
const STAFF = [...GRID_STAFF, ...COMMUNITY_STAFF, ...COMMAND,
    'department_staff']

const HomeView = () => import('./views/HomeView.vue')
const PlaceholderView = () => import('./views/PlaceholderView.vue')

export const MENU = [
    {
        path: '',
        name: 'home',
        titleKey: 'menu.home',
        icon: HomeFilled,
        roles: null,
        component: HomeView,
    },
    {
        path: 'dashboard',
        name: 'dashboard',
        titleKey: 'menu.dashboard',
        icon: DataBoard,
        roles: ['grid_chief', ...COMMUNITY_STAFF, ...COMMAND],
        component: PlaceholderView,
    },
    // 网格与档案: the hierarchy and the registry ("活档案"), for whoever
    // holds registry.read; the screens hide their write buttons from those
    // without registry.write.
    {
        path: 'registry/nodes',
        name: 'nodes',
        titleKey: 'menu.nodes',
        icon: Grid,
        roles: null,
        capability: 'registry.read',
        group: 'registry',
        component: () => import('./views/registry/NodesView.vue'),
    },
    {
        path: 'registry/persons',
        name: 'persons',
        titleKey: 'menu.persons',
        icon: Avatar,
        roles: null,
        capability: 'registry.read',
        group: 'registry',
        component: () => import('./views/registry/PersonsView.vue'),
    },
    {
        path: 'registry/buildings',
        name: 'buildings',
        titleKey: 'menu.buildings',
        icon: OfficeBuilding,
        roles: null,
        capability: 'registry.read',
        group: 'registry',
        component: () => import('./views/registry/BuildingsView.vue'),
    },
    {
        path: 'registry/organisations',
        name: 'organisations',
        titleKey: 'menu.organisations',
        icon: Shop,
        roles: null,
        capability: 'registry.read',
        group: 'registry',
        component: () => import('./views/registry/OrganisationsView.vue'),
    },
    {
        path: 'registry/party',
        name: 'party',
        titleKey: 'menu.party',
        icon: Flag,
        roles: null,
        capability: 'registry.read',
        group: 'registry',
        component: () => import('./views/registry/PartyView.vue'),
    },
    {
        path: 'registry/map',
        name: 'map',
        titleKey: 'menu.map',
        icon: MapLocation,
        roles: null,
        capability: 'registry.read',
        group: 'registry',
        component: () => import('./views/registry/MapView.vue'),
    },
    {
        path: 'registry/imports',
        name: 'imports',
        titleKey: 'menu.imports',
        icon: UploadFilled,
        roles: null,
        capability: 'registry.read',
        group: 'registry',
        component: () => import('./views/registry/ImportsView.vue'),
    },
    {
        path: 'cases',
        name: 'cases',
        titleKey: 'menu.cases',
        icon: Tickets,
        roles: STAFF,
        component: PlaceholderView,
    },
    {
        path: 'emergency',
        name: 'emergency',
        titleKey: 'menu.emergency',
        icon: Bell,
        roles: STAFF,
        component: PlaceholderView,
    },
    {
        path: 'community',
        name: 'community',
        titleKey: 'menu.community',
        icon: Coffee,
        roles: ['resident', 'volunteer', ...GRID_STAFF, ...COMMUNITY_STAFF],
        component: PlaceholderView,
    },
    {
        // System settings; accounts and keys are the security
        // administrator's (三权分立), below.
        path: 'admin',
        name: 'admin',
        titleKey: 'menu.admin',
        icon: Setting,
        roles: ['sys_admin'],
        component: PlaceholderView,
    },
    {
        path: 'admin/accounts',
        name: 'accounts',
        titleKey: 'menu.accounts',
        icon: UserFilled,
        roles: null,
        capability: 'accounts.manage',
        component: () => import('./views/admin/AccountsView.vue'),
    },
    {
        path: 'admin/api-keys',
        name: 'api-keys',
        titleKey: 'menu.apiKeys',
        icon: Key,
        roles: null,
        capability: 'accounts.manage',
        component: () => import('./views/admin/ApiKeysView.vue'),
    },
    {
        // Only the audit administrator holds audit.read: the system
        // administrator may not read the audit log (三权分立).
        path: 'audit',
        name: 'audit',
        titleKey: 'menu.audit',
        icon: Document,
        roles: null,
        capability: 'audit.read',
        component: () => import('./views/audit/AuditView.vue'),
    },
]

// May the given auth store's user open this entry (or route meta)?
export function allows(auth, item) {
    return auth.hasAnyRole(item.roles) && auth.hasCapability(item.capability)
}

// Menu entries the given auth store's user may open.
export function menuFor(auth) {
    return MENU.filter((item) => allows(auth, item))
}

// The same, with each group's entries folded into one sub-menu entry
// { group, items } in the place of its first entry.
export function menuTreeFor(auth) {
    const out = []
    for (const item of menuFor(auth)) {
        if (!item.group) {
            out.push(item)
            continue
        }
        const last = out[out.length - 1]
        if (last && last.group === item.group && last.items)
            last.items.push(item)
        else
            out.push({ group: item.group, icon: item.icon, items: [item] })
    }
    return out
}
