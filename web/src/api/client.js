// The one HTTP client of the app. Every call to the gridgov server goes
// through request(): same-origin cookies, JSON in and out, Accept-Language
// matching the UI, X-CSRF-Token on writes, and one error type.
//
// Errors: request() rejects with an ApiError whose message is safe to show
// as is (the server localises it; network failures use our own text).
//   status  HTTP status, or 0 when the server could not be reached
//   code    server error code ("unauthenticated", "invalid", …) or "network"
//   field   the input field the error is about, or "" when none
//   handled true when the client already told the user (session expired)
//           or moved them on (a forced step), so callers should not report
//           it again
//   retryAfter  seconds from a Retry-After header (429), or 0

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

// 403 codes that mean "finish this step first" rather than "not allowed":
// the account must change its password or enrol a second factor before the
// server answers anything else.
export const FORCED_STEP_CODES = new Set([
    'password_change_required', 'totp_setup_required',
])

export class ApiError extends Error {
    constructor({ status, code, field, message, retryAfter }) {
        super(message)
        this.name = 'ApiError'
        this.status = status
        this.code = code
        this.field = field || ''
        this.handled = false
        this.retryAfter = retryAfter || 0
    }
}

// Hooks filled by main.js so that this module depends on no store or router.
const hooks = {
    csrfToken: () => '',
    language: () => 'zh-CN',
    translate: (key) => key,
    // Called on a 401 from any request that did not opt out.
    onUnauthorized: () => {},
    // Called on a 403 whose code is in FORCED_STEP_CODES.
    onForcedStep: () => {},
}

export function configureClient(overrides) {
    Object.assign(hooks, overrides)
}

// Retry-After in seconds; the HTTP-date form is not used by our server.
function retryAfterOf(response) {
    const value = Number.parseInt(response.headers.get('Retry-After'), 10)
    return Number.isFinite(value) && value > 0 ? value : 0
}

async function parseError(response) {
    let body = null
    try {
        body = await response.json()
    } catch {
        // Not JSON (a proxy error page, say): fall through to a generic text.
    }
    const err = body && body.error
    if (err && typeof err.message === 'string') {
        return new ApiError({
            status: response.status,
            code: err.code || 'error',
            field: err.field,
            message: err.message,
            retryAfter: retryAfterOf(response),
        })
    }
    return new ApiError({
        status: response.status,
        code: 'unexpected',
        message: hooks.translate('error.unexpected', {
            status: response.status,
        }),
    })
}

// request('GET', '/api/v1/me') → parsed JSON, or null for 204.
// options.body is sent as JSON; options.handleUnauthorized=false keeps a 401
// from triggering the global "session expired" hook (login, first /me).
export async function request(method, path, options = {}) {
    const { body, handleUnauthorized = true, signal } = options
    const headers = {
        Accept: 'application/json',
        'Accept-Language': hooks.language(),
    }
    if (body !== undefined)
        headers['Content-Type'] = 'application/json'
    if (WRITE_METHODS.has(method)) {
        const token = hooks.csrfToken()
        if (token)
            headers['X-CSRF-Token'] = token
    }

    let response
    try {
        response = await fetch(path, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            credentials: 'same-origin',
            cache: 'no-store',
            signal,
        })
    } catch (cause) {
        if (cause && cause.name === 'AbortError')
            throw cause
        throw new ApiError({
            status: 0,
            code: 'network',
            message: hooks.translate('error.network'),
        })
    }

    if (!response.ok) {
        const error = await parseError(response)
        if (response.status === 401 && handleUnauthorized) {
            error.handled = true
            hooks.onUnauthorized(error)
        } else if (response.status === 403 && FORCED_STEP_CODES.has(error.code)) {
            error.handled = true
            hooks.onForcedStep(error)
        }
        throw error
    }
    if (response.status === 204)
        return null
    try {
        return await response.json()
    } catch {
        throw new ApiError({
            status: response.status,
            code: 'unexpected',
            message: hooks.translate('error.unexpected', {
                status: response.status,
            }),
        })
    }
}

// "?a=1&b=2" from an object, leaving out empty values; "" when none.
function query(params) {
    const parts = []
    for (const [key, value] of Object.entries(params || {})) {
        if (value === undefined || value === null || value === '')
            continue
        parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    }
    return parts.length ? `?${parts.join('&')}` : ''
}

const seg = encodeURIComponent

// The endpoints, one function each, named after the resource. Bodies carry
// only the fields the contract names: the server rejects unknown keys.
// (docs/internals/accounts-api.md for accounts, sessions and audit.)
export const api = {
    health: () => request('GET', '/api/v1/health'),
    me: () => request('GET', '/api/v1/me', { handleUnauthorized: false }),
    // totpCode only on the second try, after 401 totp_required.
    login: (username, password, totpCode) =>
        request('POST', '/api/v1/session', {
            body: totpCode
                ? { username, password, totp_code: totpCode }
                : { username, password },
            handleUnauthorized: false,
        }),
    logout: () =>
        request('DELETE', '/api/v1/session', { handleUnauthorized: false }),
    nodeChildren: (parentCode) =>
        request('GET', `/api/v1/nodes${query({ parent: parentCode })}`),
    node: (code) => request('GET', `/api/v1/nodes/${seg(code)}`),

    // My account
    changePassword: (oldPassword, newPassword) =>
        request('PUT', '/api/v1/me/password', {
            body: { old_password: oldPassword, new_password: newPassword },
        }),
    totpStart: () => request('POST', '/api/v1/me/totp'),
    totpConfirm: (code) =>
        request('POST', '/api/v1/me/totp/confirm', { body: { code } }),
    totpDisable: (password) =>
        request('DELETE', '/api/v1/me/totp', { body: { password } }),
    mySessions: () => request('GET', '/api/v1/me/sessions'),
    endMySession: (id) => request('DELETE', `/api/v1/me/sessions/${seg(id)}`),

    // Accounts (capability accounts.manage)
    accounts: ({ q, after } = {}) =>
        request('GET', `/api/v1/accounts${query({ q, after })}`),
    account: (id) => request('GET', `/api/v1/accounts/${seg(id)}`),
    createAccount: ({ username, display_name, home_node, roles }) =>
        request('POST', '/api/v1/accounts', {
            body: { username, display_name, home_node, roles },
        }),
    // changes: { display_name } and/or { disabled }
    updateAccount: (id, version, changes) =>
        request('PATCH', `/api/v1/accounts/${seg(id)}`, {
            body: { version, ...changes },
        }),
    setAccountRoles: (id, version, roles) =>
        request('PUT', `/api/v1/accounts/${seg(id)}/roles`, {
            body: { version, roles },
        }),
    resetAccountPassword: (id) =>
        request('POST', `/api/v1/accounts/${seg(id)}/password-reset`),
    unlockAccount: (id) =>
        request('POST', `/api/v1/accounts/${seg(id)}/unlock`),
    endAccountSessions: (id) =>
        request('DELETE', `/api/v1/accounts/${seg(id)}/sessions`),

    // API keys (capability accounts.manage)
    apiKeys: () => request('GET', '/api/v1/api-keys'),
    createApiKey: ({ name, scopes, node_code, expires_at }) =>
        request('POST', '/api/v1/api-keys', {
            body: { name, scopes, node_code, expires_at },
        }),
    revokeApiKey: (id) => request('DELETE', `/api/v1/api-keys/${seg(id)}`),

    // Audit (capability audit.read)
    audit: ({ from, to, actor, action, after, limit } = {}) =>
        request('GET', `/api/v1/audit${query({
            from, to, actor, action, after, limit,
        })}`),
    auditVerify: () => request('GET', '/api/v1/audit/verify'),
}
