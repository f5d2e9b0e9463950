// The node (district, street, community, grid …) the user is working on.
// Every screen reads it from here; the header's node switcher changes it.
// The choice is remembered per user in localStorage and checked against the
// server on restore, since scopes can change between visits.
import { defineStore } from 'pinia'
import { api } from '../api/client.js'
import { useAuthStore } from './auth.js'

const STORAGE_KEY = 'gg_node'

function load(username) {
    try {
        const saved = JSON.parse(localStorage.getItem(STORAGE_KEY))
        return saved && saved.username === username ? saved.node : null
    } catch {
        return null
    }
}

function save(username, node) {
    try {
        localStorage.setItem(STORAGE_KEY, JSON.stringify({ username, node }))
    } catch {
        // Storage disabled: the choice lasts for this page.
    }
}

export const useNodeStore = defineStore('node', {
    state: () => ({
        // { code, name, level, path: [root code, …, code] } or null
        current: null,
    }),

    actions: {
        select(node) {
            this.current = node
            const auth = useAuthStore()
            if (auth.me)
                save(auth.me.username, node)
        },

        // Pick the node to start with after login or page load: the saved
        // one if it is still in scope, else the user's first role node.
        async restore() {
            const auth = useAuthStore()
            const roots = auth.rootNodes
            const fallback = roots.length
                ? { ...roots[0], path: [roots[0].code] }
                : null
            const saved = auth.me ? load(auth.me.username) : null
            const inScope = saved && Array.isArray(saved.path) &&
                roots.some((r) => saved.path[0] === r.code)
            this.current = inScope ? saved : fallback
            if (!inScope)
                return
            try {
                const fresh = await api.node(saved.code)
                this.current = { ...saved, name: fresh.name, level: fresh.level }
            } catch (err) {
                if (err.status === 404 || err.status === 403)
                    this.current = fallback
                // Other failures: keep the saved node; screens show errors.
            }
        },

        clear() {
            this.current = null
        },
    },
})
