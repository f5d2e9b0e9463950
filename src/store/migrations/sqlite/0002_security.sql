-- 0002: account security (password age, lockout, second factor), richer
-- sessions, API keys, login rate limits and the hash-chained audit log.

ALTER TABLE accounts ADD COLUMN home_node TEXT REFERENCES nodes(code);
ALTER TABLE accounts ADD COLUMN password_changed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN locked_until INTEGER NOT NULL DEFAULT 0;
-- TOTP secrets are sealed like personal data; totp_last_step stops replays.
ALTER TABLE accounts ADD COLUMN totp_secret BLOB;
ALTER TABLE accounts ADD COLUMN totp_pending BLOB;
ALTER TABLE accounts ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
CREATE INDEX accounts_home ON accounts(home_node, id);

ALTER TABLE sessions ADD COLUMN idle_s INTEGER NOT NULL DEFAULT 1800;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT;

-- Per-address login attempts in fixed windows.
CREATE TABLE login_attempts (
    address      TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    attempts     INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    node_code    TEXT NOT NULL REFERENCES nodes(code),
    expires_at   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   INTEGER REFERENCES accounts(id),
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_keys_node ON api_keys(node_code, id);

-- The audit log: append-only and hash-chained. Each record's hash is a
-- keyed BLAKE2b over its fields and the previous record's hash, so an edit,
-- a removal or a reordering shows when the chain is verified. Records older
-- than the retention are first written to an archive file, then removed:
-- audit_meta keeps the last archived seq and its hash as the chain's anchor.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor_id   INTEGER,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    ip         TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_at ON audit_log(at);
CREATE INDEX audit_actor ON audit_log(actor, seq);
CREATE INDEX audit_action ON audit_log(action, seq);

CREATE TABLE audit_meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO audit_meta VALUES ('archived_through', '0');
INSERT INTO audit_meta VALUES ('anchor_hash', '');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN old.seq > (SELECT CAST(value AS INTEGER) FROM audit_meta
                WHERE key = 'archived_through')
BEGIN
    SELECT RAISE(ABORT, 'only archived audit records may be removed');
END;
