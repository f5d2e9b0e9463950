// Routes and the authentication guard. Feature routes come from menu.js so
// the menu and the router cannot disagree.
import { createRouter, createWebHistory } from 'vue-router'
import { MENU } from './menu.js'
import { useAuthStore } from './stores/auth.js'

const routes = [
    {
        path: '/login',
        name: 'login',
        component: () => import('./views/LoginView.vue'),
        meta: { public: true, titleKey: 'login.title' },
    },
    {
        path: '/',
        component: () => import('./layouts/MainLayout.vue'),
        children: [
            ...MENU.map((item) => ({
                path: item.path,
                name: item.name,
                component: item.component,
                meta: { titleKey: item.titleKey, roles: item.roles },
            })),
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
    if (!auth.hasAnyRole(to.meta.roles)) {
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
