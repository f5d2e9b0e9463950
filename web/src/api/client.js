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

// Sends one request and answers the Response when it is 2xx; else rejects
// with an ApiError (after the 401 / forced-step hooks). Options as for
// request(), plus accept (the Accept header).
async function send(method, path, options = {}) {
    const {
        body, raw, handleUnauthorized = true, signal,
        accept = 'application/json',
    } = options
    const headers = {
        Accept: accept,
        'Accept-Language': hooks.language(),
    }
    if (body !== undefined)
        headers['Content-Type'] = 'application/json'
    else if (raw)
        headers['Content-Type'] = raw.type
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
            body: body !== undefined ? JSON.stringify(body) : raw ? raw.data : undefined,
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
    return response
}

function unexpected(response) {
    return new ApiError({
        status: response.status,
        code: 'unexpected',
        message: hooks.translate('error.unexpected', { status: response.status }),
    })
}

// request('GET', '/api/v1/me') → parsed JSON, or null for 204.
// options.body is sent as JSON; options.raw = { data: Blob|File, type }
// sends a file as the body as is, with that Content-Type (imports);
// options.handleUnauthorized=false keeps a 401 from triggering the global
// "session expired" hook (login, first /me).
export async function request(method, path, options = {}) {
    const response = await send(method, path, options)
    if (response.status === 204)
        return null
    try {
        return await response.json()
    } catch {
        throw unexpected(response)
    }
}

// The file name a Content-Disposition header gives, or `fallback`.
function fileNameOf(response, fallback) {
    const header = response.headers.get('Content-Disposition') || ''
    const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)
    if (star) {
        try {
            return decodeURIComponent(star[1].trim())
        } catch {
            // fall through to the plain form
        }
    }
    const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header)
    return plain ? plain[1].trim() : fallback
}

// GETs a file (an XLSX 台账, a template, a row report) and hands it to the
// browser as a download, so that errors come back as an ApiError like any
// other request rather than as a page of JSON. Resolves the file name.
export async function download(path, fallbackName) {
    const response = await send('GET', path, { accept: '*/*' })
    let blob
    try {
        blob = await response.blob()
    } catch {
        throw unexpected(response)
    }
    const name = fileNameOf(response, fallbackName)
    const url = URL.createObjectURL(blob)
    const link = document.createElement('a')
    link.href = url
    link.download = name
    link.rel = 'noopener'
    document.body.appendChild(link)
    link.click()
    link.remove()
    setTimeout(() => URL.revokeObjectURL(url), 60000)
    return name
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

    // The registry (docs/internals/registry-api.md). Reads need
    // registry.read, writes registry.write; updates carry the version read.

    // Nodes: the hierarchy, its roster (一网多员), care card and map.
    nodeChildren: (parentCode) =>
        request('GET', `/api/v1/nodes${query({ parent: parentCode })}`),
    node: (code) => request('GET', `/api/v1/nodes/${seg(code)}`),
    createNode: ({ code, parent_code, name }) =>
        request('POST', '/api/v1/nodes', { body: { code, parent_code, name } }),
    // changes: { name } and/or { chief_person_id } (0 clears the chief)
    updateNode: (code, version, changes) =>
        request('PATCH', `/api/v1/nodes/${seg(code)}`, {
            body: { version, ...changes },
        }),
    moveNode: (code, version, parentCode, newCode) =>
        request('POST', `/api/v1/nodes/${seg(code)}/move`, {
            body: { version, parent_code: parentCode, new_code: newCode },
        }),
    retireNode: (code, version) =>
        request('POST', `/api/v1/nodes/${seg(code)}/retire`, { body: { version } }),
    nodeHistory: (code) => request('GET', `/api/v1/nodes/${seg(code)}/history`),
    nodeOverview: (code) => request('GET', `/api/v1/nodes/${seg(code)}/overview`),
    roster: (code) => request('GET', `/api/v1/nodes/${seg(code)}/roster`),
    // entry: { person_id, post, work_phone?, building_id?, unit_no?, households? }
    addRosterEntry: (code, entry) =>
        request('POST', `/api/v1/nodes/${seg(code)}/roster`, { body: entry }),
    removeRosterEntry: (id) => request('DELETE', `/api/v1/roster/${seg(id)}`),
    careCard: (code) => request('GET', `/api/v1/nodes/${seg(code)}/care-card`),
    setGeometry: (code, version, geometry) =>
        request('PUT', `/api/v1/nodes/${seg(code)}/geometry`, {
            body: { version, geometry },
        }),
    deleteGeometry: (code, version) =>
        request('DELETE', `/api/v1/nodes/${seg(code)}/geometry${query({ version })}`),
    coverage: (code) => request('GET', `/api/v1/nodes/${seg(code)}/coverage`),
    map: (code) => request('GET', `/api/v1/map${query({ node: code })}`),

    // Persons (活档案): masked; the full numbers only through reveal.
    // filters: { node, q, id_no, phone, address, building, tag }
    persons: (filters, after) =>
        request('GET', `/api/v1/persons${query({ ...filters, after })}`),
    personStats: (node) =>
        request('GET', `/api/v1/persons/stats${query({ node })}`),
    person: (id) => request('GET', `/api/v1/persons/${seg(id)}`),
    createPerson: (fields) =>
        request('POST', '/api/v1/persons', { body: fields }),
    // fields: every field (a PUT replaces); id_no / phone absent keep them
    updatePerson: (id, version, fields) =>
        request('PUT', `/api/v1/persons/${seg(id)}`, {
            body: { ...fields, version },
        }),
    revealPerson: (id, fields, reason) =>
        request('POST', `/api/v1/persons/${seg(id)}/reveal`, {
            body: { fields, reason },
        }),
    personHistory: (id) => request('GET', `/api/v1/persons/${seg(id)}/history`),

    // Buildings (楼栋) and households (户).
    buildings: ({ node, q }, after) =>
        request('GET', `/api/v1/buildings${query({ node, q, after })}`),
    building: (id) => request('GET', `/api/v1/buildings/${seg(id)}`),
    // fields: { node_code?, name, address, kind, floors, units, lon?, lat? }
    createBuilding: (fields) =>
        request('POST', '/api/v1/buildings', { body: fields }),
    updateBuilding: (id, version, fields) =>
        request('PUT', `/api/v1/buildings/${seg(id)}`, {
            body: { ...fields, version },
        }),
    buildingHistory: (id) =>
        request('GET', `/api/v1/buildings/${seg(id)}/history`),
    households: ({ building, node }, after) =>
        request('GET', `/api/v1/households${query({ building, node, after })}`),
    household: (id) => request('GET', `/api/v1/households/${seg(id)}`),
    createHousehold: ({ building_id, unit_no, room }) =>
        request('POST', '/api/v1/households', {
            body: { building_id, unit_no, room },
        }),
    updateHousehold: (id, version, { unit_no, room }) =>
        request('PUT', `/api/v1/households/${seg(id)}`, {
            body: { version, unit_no, room },
        }),
    householdHistory: (id) =>
        request('GET', `/api/v1/households/${seg(id)}/history`),

    // Organisations (enterprises, units, merchants, 共建单位 …).
    organisations: ({ node, kind, q }, after) =>
        request('GET', `/api/v1/organisations${query({ node, kind, q, after })}`),
    organisation: (id) => request('GET', `/api/v1/organisations/${seg(id)}`),
    createOrganisation: (fields) =>
        request('POST', '/api/v1/organisations', { body: fields }),
    updateOrganisation: (id, version, fields) =>
        request('PUT', `/api/v1/organisations/${seg(id)}`, {
            body: { ...fields, version },
        }),
    organisationHistory: (id) =>
        request('GET', `/api/v1/organisations/${seg(id)}/history`),

    // The party tree (党委 → 党支部 → 党小组) and its members.
    partyOrgs: (node) => request('GET', `/api/v1/party-orgs${query({ node })}`),
    partyOrg: (id) => request('GET', `/api/v1/party-orgs/${seg(id)}`),
    createPartyOrg: ({ node_code, parent_id, kind, name }) =>
        request('POST', '/api/v1/party-orgs', {
            body: parent_id
                ? { node_code, parent_id, kind, name }
                : { node_code, kind, name },
        }),
    updatePartyOrg: (id, version, { name, node_code, parent_id }) =>
        request('PUT', `/api/v1/party-orgs/${seg(id)}`, {
            body: { version, name, node_code, parent_id: parent_id || null },
        }),
    // member: { duty, joined_on?, center_household }
    setPartyMember: (orgId, personId, member) =>
        request('PUT', `/api/v1/party-orgs/${seg(orgId)}/members/${seg(personId)}`, {
            body: member,
        }),
    removePartyMember: (orgId, personId) =>
        request('DELETE', `/api/v1/party-orgs/${seg(orgId)}/members/${seg(personId)}`),

    // Imports and exports (导入 · 台账).
    // params: { kind, node, mode: 'all'|'skip', dry_run: 0|1 }
    startImport: (params, file, type) =>
        request('POST', `/api/v1/imports${query(params)}`, {
            raw: { data: file, type },
        }),
    importJob: (id) => request('GET', `/api/v1/imports/${seg(id)}`),
    importReport: (id) =>
        download(`/api/v1/imports/${seg(id)}/report`, `import-${id}-report.xlsx`),
    importTemplate: (kind) =>
        download(`/api/v1/imports/templates/${seg(kind)}`, `${kind}-template.xlsx`),
    // filters: the list's own filters (node, q, tag …)
    exportList: (list, filters) =>
        download(`/api/v1/exports/${seg(list)}${query(filters)}`,
            `${list}-${filters.node || 'all'}.xlsx`),
}
