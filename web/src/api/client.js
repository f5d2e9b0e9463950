// The one HTTP client of the app. Every call to the gridgov server goes
// through request(): same-origin cookies, JSON in and out, Accept-Language
// matching the UI, X-CSRF-Token on writes, and one error type.
//
// Errors: request() rejects with an ApiError whose message is safe to show
// as is (the server localises it; network failures use our own text).
//   status  HTTP status, or 0 when the server could not be reached
//   code    server error code ("unauthenticated", "invalid", …) or "network"
//   field   the input field the error is about, or "" when none
//   handled true when the client already told the user (session expired),
//           so callers should not report it again

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export class ApiError extends Error {
    constructor({ status, code, field, message }) {
        super(message)
        this.name = 'ApiError'
        this.status = status
        this.code = code
        this.field = field || ''
        this.handled = false
    }
}

// Hooks filled by main.js so that this module depends on no store or router.
const hooks = {
    csrfToken: () => '',
    language: () => 'zh-CN',
    translate: (key) => key,
    // Called on a 401 from any request that did not opt out.
    onUnauthorized: () => {},
}

export function configureClient(overrides) {
    Object.assign(hooks, overrides)
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

// The endpoints, one function each, named after the resource.
export const api = {
    health: () => request('GET', '/api/v1/health'),
    me: () => request('GET', '/api/v1/me', { handleUnauthorized: false }),
    login: (username, password) =>
        request('POST', '/api/v1/session', {
            body: { username, password },
            handleUnauthorized: false,
        }),
    logout: () =>
        request('DELETE', '/api/v1/session', { handleUnauthorized: false }),
    nodeChildren: (parentCode) =>
        request(
            'GET',
            `/api/v1/nodes?parent=${encodeURIComponent(parentCode)}`,
        ),
    node: (code) =>
        request('GET', `/api/v1/nodes/${encodeURIComponent(code)}`),
}
