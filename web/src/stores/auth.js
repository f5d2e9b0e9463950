// Who is logged in. The first navigation calls ensureChecked(), which asks
// GET /api/v1/me once and caches the answer; login and logout update it.
import { defineStore } from 'pinia'
import { api } from '../api/client.js'

// The /me request in flight, shared by concurrent ensureChecked() calls.
let pending = null

export const useAuthStore = defineStore('auth', {
    state: () => ({
        me: null, // ME object from the server, or null when logged out
        csrfToken: '',
        checked: false, // /me has answered (either way) since page load
    }),

    getters: {
        isAuthenticated: (state) => state.me !== null,
        roles: (state) => (state.me ? state.me.roles || [] : []),
        roleIds() {
            return [...new Set(this.roles.map((r) => r.role))]
        },
        // Role nodes without duplicates and without nodes that lie inside
        // another role node: the roots of everything the user may see.
        rootNodes() {
            const seen = new Map()
            for (const r of this.roles) {
                if (!seen.has(r.node_code)) {
                    seen.set(r.node_code, {
                        code: r.node_code,
                        name: r.node_name,
                        level: r.node_level,
                    })
                }
            }
            const nodes = [...seen.values()]
            return nodes.filter((n) => !nodes.some(
                (o) => o.code !== n.code && n.code.startsWith(o.code)))
        },
    },

    actions: {
        hasAnyRole(allowed) {
            return !allowed || allowed.some((r) => this.roleIds.includes(r))
        },

        setSession(me, csrfToken) {
            this.me = me
            this.csrfToken = csrfToken || (me && me.csrf_token) || ''
            this.checked = true
        },

        clear() {
            this.me = null
            this.csrfToken = ''
            this.checked = true
        },

        // Resolves once we know whether a session exists. A 401 means "not
        // logged in"; other failures (server down) are thrown to the caller
        // and leave checked=false so the next navigation asks again.
        async ensureChecked() {
            if (this.checked)
                return
            if (!pending) {
                pending = api.me()
                    .then((me) => this.setSession(me))
                    .catch((err) => {
                        if (err.status === 401)
                            this.clear()
                        else
                            throw err
                    })
                    .finally(() => {
                        pending = null
                    })
            }
            await pending
        },

        async login(username, password) {
            const answer = await api.login(username, password)
            this.setSession(answer.me, answer.csrf_token)
        },

        async logout() {
            try {
                await api.logout()
            } catch (err) {
                // Already gone on the server: nothing left to end.
                if (err.status !== 401)
                    throw err
            }
            this.clear()
        },
    },
})
