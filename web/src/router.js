// Routes and the guard. Feature routes come from menu.js so the menu and
// the router cannot disagree. The guard sends visitors to the login page,
// keeps accounts on a forced step (new password, second factor) until it is
// done, and answers "not found" for screens the user's roles or
// capabilities do not allow.
import { createRouter, createWebHistory } from 'vue-router'
import { allows, MENU } from './menu.js'
import { useAuthStore } from './stores/auth.js'

// auth.pendingStep → the route that completes it.
export const STEP_ROUTES = {
    password: 'setup-password',
    totp: 'setup-totp',
}

const SetupView = () => import('./views/SetupView.vue')

const routes = [
    {
        path: '/login',
        name: 'login',
        component: () => import('./views/LoginView.vue'),
        meta: { public: true, titleKey: 'login.title' },
    },
    // Forced steps, outside the main layout: until they are done the
    // server answers nothing else, so there is no menu to show.
    {
        path: '/setup/password',
        name: 'setup-password',
        component: SetupView,
        meta: { setupStep: 'password', titleKey: 'setup.passwordTitle' },
    },
    {
        path: '/setup/totp',
        name: 'setup-totp',
        component: SetupView,
        meta: { setupStep: 'totp', titleKey: 'setup.totpTitle' },
    },
    {
        path: '/',
        component: () => import('./layouts/MainLayout.vue'),
        children: [
            ...MENU.map((item) => ({
                path: item.path,
                name: item.name,
                component: item.component,
                meta: {
                    titleKey: item.titleKey,
                    roles: item.roles,
                    capability: item.capability,
                    group: item.group,
                },
            })),
            {
                // Every account's own page, reached from the user menu.
                path: 'account',
                name: 'account',
                component: () => import('./views/account/AccountView.vue'),
                meta: { titleKey: 'account.title' },
            },
            {
                // Inside the layout so that unknown paths ask for a login
                // first and do not reveal which routes exist.
                path: ':pathMatch(.*)*',
                name: 'not-found',
                component: () => import('./views/NotFoundView.vue'),
                meta: { titleKey: 'notFound.title' },
            },
        ],
    },
]

export const router = createRouter({
    history: createWebHistory(import.meta.env.BASE_URL),
    routes,
})

// Only same-site absolute paths may be used as a post-login target.
export function safeRedirect(target) {
    return typeof target === 'string' && target.startsWith('/') &&
        !target.startsWith('//') && !target.startsWith('/\\')
        ? target
        : '/'
}

router.beforeEach(async (to) => {
    const auth = useAuthStore()
    try {
        await auth.ensureChecked()
    } catch {
        // Server unreachable: let public pages show; others go to login,
        // which reports the error when the user tries to sign in.
    }
    if (to.meta.public) {
        if (to.name === 'login' && auth.isAuthenticated)
            return safeRedirect(to.query.redirect)
        return true
    }
    if (!auth.isAuthenticated) {
        return {
            name: 'login',
            query: to.fullPath === '/' ? {} : { redirect: to.fullPath },
        }
    }
    // A forced step comes first; the page asked for waits in ?redirect=.
    const stepRoute = STEP_ROUTES[auth.pendingStep]
    if (stepRoute) {
        if (to.name === stepRoute)
            return true
        const target = to.meta.setupStep ? to.query.redirect : to.fullPath
        return {
            name: stepRoute,
            query: target && target !== '/' ? { redirect: target } : {},
            replace: true,
        }
    }
    if (to.meta.setupStep)
        return safeRedirect(to.query.redirect)
    if (!allows(auth, to.meta)) {
        // A screen outside the user's roles looks like one that does not
        // exist, as the server does for objects outside scope.
        return {
            name: 'not-found',
            params: { pathMatch: to.path.slice(1).split('/') },
            query: to.query,
            hash: to.hash,
            replace: true,
        }
    }
    return true
})
