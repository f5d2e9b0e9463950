// Audit actions the server writes (docs/internals/accounts-api.md), in the
// order the action filter lists them. Names live under "auditActions" in
// the locale files; an action not listed here still shows, by its id.
export const AUDIT_ACTIONS = [
    'login.ok', 'login.fail', 'login.locked', 'logout',
    'password.change', 'password.reset',
    'totp.enable', 'totp.disable',
    'session.revoke',
    'account.create', 'account.update', 'account.roles', 'account.unlock',
    'apikey.create', 'apikey.revoke',
    'pii.reveal', 'pii.export',
    'config.change',
]
