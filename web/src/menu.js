// The side menu as data. Each entry becomes a child route of the main
// layout and, for users holding one of its roles, a menu item.
//   path      route path under "/"
//   name      route name
//   titleKey  i18n key of the menu text, breadcrumb and page title
//   icon      Element Plus icon component
//   roles     role ids allowed to open it; null means every logged-in user
//   component lazy view loader (one chunk per view)
import {
    Bell, Coffee, DataBoard, Document, Grid, HomeFilled, Setting, Tickets,
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
    {
        path: 'registry',
        name: 'registry',
        titleKey: 'menu.registry',
        icon: Grid,
        roles: [...GRID_STAFF, ...COMMUNITY_STAFF, ...COMMAND],
        component: PlaceholderView,
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
        path: 'admin',
        name: 'admin',
        titleKey: 'menu.admin',
        icon: Setting,
        roles: ['sys_admin', 'sec_admin'],
        component: PlaceholderView,
    },
    {
        // The system administrator may not read the audit log (三权分立).
        path: 'audit',
        name: 'audit',
        titleKey: 'menu.audit',
        icon: Document,
        roles: ['audit_admin'],
        component: PlaceholderView,
    },
]

// Menu entries the given auth store's user may open.
export function menuFor(auth) {
    return MENU.filter((item) => auth.hasAnyRole(item.roles))
}
