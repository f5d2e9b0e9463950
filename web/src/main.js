// Application entry: plugins, the API client's hooks, mount.
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import { ElMessage } from 'element-plus'
import 'element-plus/dist/index.css'
import './styles/main.css'
import App from './App.vue'
import { configureClient } from './api/client.js'
import { currentLanguage, i18n, loadStoredLanguage } from './i18n.js'
import { router, STEP_ROUTES } from './router.js'
import { useAuthStore } from './stores/auth.js'
import { useNodeStore } from './stores/node.js'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia).use(i18n).use(router)

const auth = useAuthStore(pinia)
const t = i18n.global.t

configureClient({
    csrfToken: () => auth.csrfToken,
    language: () => currentLanguage.value,
    translate: (key, values) => t(key, values || {}),
    // The session ended on the server (expiry, logout elsewhere): say so
    // once and go to the login page, coming back here afterwards.
    onUnauthorized() {
        if (!auth.isAuthenticated)
            return
        auth.clear()
        useNodeStore(pinia).clear()
        ElMessage.warning(t('layout.sessionExpired'))
        const { fullPath } = router.currentRoute.value
        router.replace({ name: 'login', query: { redirect: fullPath } })
    },
    // The server wants a new password or a second factor first (an
    // administrator reset this account's password, say): go there, and
    // come back afterwards.
    onForcedStep(error) {
        if (!auth.isAuthenticated)
            return
        auth.markForcedStep(error.code)
        const step = STEP_ROUTES[auth.pendingStep]
        const current = router.currentRoute.value
        if (!step || current.name === step)
            return
        const target = current.meta.setupStep
            ? current.query.redirect
            : current.fullPath
        router.replace({
            name: step,
            query: target && target !== '/' ? { redirect: target } : {},
        })
    },
})

// A language other than the default loads its texts before the first paint.
loadStoredLanguage().then(() => app.mount('#app'))
