// Who is logged in. The first navigation calls ensureChecked(), which asks
// GET /api/v1/me once and caches the answer; login and logout update it.
// ME also says what the account must do before anything else (pendingStep)
// and what it may do (capabilities, e.g. "accounts.manage", "audit.read").
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
        capabilities: (state) =>
            (state.me ? state.me.capabilities || [] : []),
        // The step the server insists on before any other request:
        // 'password' (must_change_password), 'totp' (an administrator
        // without a second factor) or null.
        pendingStep: (state) => {
            const me = state.me
            if (!me)
                return null
            if (me.must_change_password)
                return 'password'
            if (me.totp_required && !me.totp_enabled)
                return 'totp'
            return null
        },
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

        // True when `capability` is empty or ME lists it.
        hasCapability(capability) {
            return !capability || this.capabilities.includes(capability)
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

        // Rejects with the server's ApiError; 401 totp_required asks for
        // the same call again with totpCode.
        async login(username, password, totpCode) {
            const answer = await api.login(username, password, totpCode)
            this.setSession(answer.me, answer.csrf_token)
        },

        // Asks GET /me again after the account changed (password, second
        // factor): the forced steps and the CSRF token may have moved on.
        // A 401 (the session is gone) clears the user, so the next
        // navigation goes to the login page, and is thrown like any error.
        async refresh() {
            try {
                this.setSession(await api.me())
            } catch (err) {
                if (err.status === 401)
                    this.clear()
                throw err
            }
        },

        // A request answered 403 with a forced-step code: note it so that
        // the router keeps the user on that step.
        markForcedStep(code) {
            if (!this.me)
                return
            if (code === 'password_change_required')
                this.me = { ...this.me, must_change_password: true }
            else if (code === 'totp_setup_required')
                this.me = { ...this.me, totp_required: true, totp_enabled: false }
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
