/*
 * store.h - the only interface between gridgov and its database.
 *
 * Operations are domain-level ("insert this person", "children of this node
 * within this scope"), never "run this SQL": each backend (store_sqlite.c,
 * later store_pg.c) owns its SQL text, and only files in src/store/ include
 * a database client header.
 *
 * Ownership: records read from the store are allocated in the caller's arena
 * and live as long as it does. Inputs are borrowed for the duration of the
 * call.
 *
 * Threads: a `struct store` is one connection with its own prepared-statement
 * cache; use it from one thread at a time (the server opens one per worker).
 *
 * Errors: every operation returns 0 or a negative GG_E* code: GG_ENOTFOUND
 * for a missing row (or one outside the given scope), GG_ECONFLICT for a
 * uniqueness or version clash, GG_EBUSY when the database stayed locked past
 * the busy timeout, GG_ESTORE for anything else the database reported (its
 * text goes to the log, never into err).
 *
 * Scope: operations that read what a user asked for take a store_scope, the
 * node codes the user's roles were granted at; a row is visible only when its
 * node code starts with one of them.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/gg_err.h"
#include "core/gg_mem.h"

struct store;

enum store_open_flags {
    STORE_OPEN_CREATE = 1,   /* create the database if missing */
    STORE_OPEN_READONLY = 2,
};

struct store_options {
    int busy_timeout_ms;
};

struct store_scope {
    const char *const *prefixes; /* node codes; a row matches by prefix */
    size_t n;
};

/* Node levels (区划/网格层级), by the length of their code. */
enum store_node_level {
    NODE_PROVINCE = 0, /* 2 digits */
    NODE_CITY,         /* 4 */
    NODE_DISTRICT,     /* 6: county code, GB/T 2260 */
    NODE_STREET,       /* 9: 街道/乡镇 */
    NODE_COMMUNITY,    /* 12: 社区/村, statistics division code */
    NODE_GRID,         /* 15: community + 3-digit sequence */
    NODE_MICROGRID,    /* 18: 微网格, grid + 3-digit sequence */
    NODE__COUNT
};

struct store_node {
    const char *code;
    const char *parent_code; /* NULL at the top */
    enum store_node_level level;
    const char *name;
    int64_t chief_person_id; /* the node's responsible chief; 0: none */
    int64_t child_count;     /* filled by reads */
    int64_t version;
};

struct store_node_change {
    int64_t id;
    const char *node_code;
    int64_t at;
    int64_t actor_id;
    const char *action; /* create rename chief move retire */
    const char *before, *after; /* JSON snapshots */
};

struct store_blob {
    const unsigned char *data;
    size_t len;
};

struct store_account {
    int64_t id;
    const char *username;
    const char *display_name;
    const char *password_hash; /* Argon2id string */
    int64_t person_id;         /* 0: none */
    const char *home_node;     /* where the account is managed from */
    int disabled;
    int must_change_password;
    int64_t password_changed_at;
    int64_t failed_logins;
    int64_t locked_until;
    struct store_blob totp_secret;  /* sealed; len 0: no second factor */
    struct store_blob totp_pending; /* sealed; during enrolment */
    int64_t totp_last_step;
    int64_t created_at;
    int64_t version;
};

struct store_role {
    const char *role;       /* role id, e.g. "grid_worker" */
    const char *node_code;
    const char *node_name;
    enum store_node_level node_level;
};

struct store_session {
    const char *token_hash; /* hex; the token itself is never stored */
    int64_t account_id;
    const char *csrf_token;
    int64_t created_at, last_seen_at, expires_at; /* unix seconds */
    int64_t idle_s;
    const char *user_agent;
    const char *ip;
};

struct store_grant {
    const char *role;
    const char *node_code;
};

struct store_apikey {
    int64_t id;
    const char *name;
    const char *prefix;   /* shown to people; not enough to authenticate */
    const char *key_hash; /* hex BLAKE2b of the key */
    const char *scopes;   /* space-separated */
    const char *node_code;
    int64_t expires_at, created_at, created_by, last_used_at, revoked_at;
};

struct store_audit {
    int64_t seq;
    int64_t at; /* unix milliseconds */
    int64_t actor_id;
    const char *actor, *action, *target, *detail, *ip;
    const char *prev_hash, *hash;
};

struct store_audit_filter {
    int64_t from_ms, to_ms; /* 0: open */
    const char *actor;      /* NULL: any */
    const char *action;     /* NULL: any */
    int64_t before_seq;     /* 0: from the newest */
    int limit;
};

/* A row of a person list: what lists may show (masked only). */
struct store_person_row {
    int64_t id;
    const char *node_code;
    const char *name, *sex, *birth_date, *residence;
    const char *id_no_mask, *phone_mask;
    const char *tags; /* comma-separated */
};

/* What a person search asks for; NULL or 0 means "any". */
struct store_person_filter {
    const char *node;                /* required: a node under the scope */
    const char *name_prefix;
    const unsigned char *id_blind;   /* GG_BLIND_BYTES: exact ID number */
    const unsigned char *phone_blind; /* exact phone number */
    const char *tag;
    int64_t after;                   /* keyset: ids greater than this */
    int limit;
};

struct store_count {
    const char *key;
    int64_t count;
};

/* Sealed personal data: ciphertext, blind index and display mask. */
struct store_sealed {
    const unsigned char *sealed;
    size_t sealed_len;
    const unsigned char *blind; /* GG_BLIND_BYTES */
    const char *mask;
};

struct store_building {
    int64_t id;
    const char *node_code;
    const char *name;
    const char *address;
    const char *kind;
    int floors, units;
    double lon, lat;
};

struct store_household {
    int64_t id;
    const char *node_code;
    int64_t building_id;
    int unit_no;
    const char *room;
};

struct store_person {
    int64_t id;
    int64_t version;       /* filled by reads; checked by updates */
    const char *node_code;
    int64_t household_id;  /* 0: none */
    const char *relation;  /* GB/T 4761 */
    const char *name;
    const char *sex;       /* GB/T 2261.1: 0 1 2 9 */
    const char *birth_date;
    const char *ethnic;    /* GB/T 3304 */
    const char *political; /* GB/T 4762 */
    const char *residence; /* permanent registered floating overseas */
    struct store_sealed id_no, phone;
    const char *moved_in, *moved_out; /* YYYY-MM-DD */
    const char *const *tags;
    size_t n_tags;
};

struct store_person_change {
    int64_t id, person_id;
    const char *node_code;
    int64_t at, actor_id;
    const char *action; /* create update */
    const char *before, *after; /* JSON snapshots, masked */
};

struct store_org {
    int64_t id;
    const char *node_code;
    const char *kind; /* enterprise unit merchant property social cobuild */
    const char *name;
    const char *credit_code;
    const char *address;
};

struct store_grid_member {
    const char *node_code;
    int64_t person_id;
    const char *post; /* grid_chief grid_worker_full ... (schema CHECK) */
};

struct store_migration {
    int version;
    const char *name;
    const char *sql;
};

/*
 * The operations. X(return, name, (parameters), (arguments), comment).
 * Expanded into the public store_<name>() functions, the backend table and
 * the timing wrappers in store.c.
 */
#define STORE_OPS(X)                                                          \
    /* Applies pending migrations; from and to say what was done. */           \
    X(int, migrate, (struct store * s, int *from, int *to, struct gg_err *err), \
      (s, from, to, err))                                                     \
    X(int, schema_version, (struct store * s, int *out, struct gg_err *err),  \
      (s, out, err))                                                          \
    /* Integrity and foreign-key check; problems appended to report. */       \
    X(int, check, (struct store * s, struct gg_buf *report,                   \
                   struct gg_err *err), (s, report, err))                     \
    /* Number of nodes, accounts and persons: is this database empty? */      \
    X(int, count_roots, (struct store * s, int64_t *nodes, int64_t *persons,  \
                         struct gg_err *err), (s, nodes, persons, err))       \
    /* A write transaction (BEGIN IMMEDIATE on SQLite). */                    \
    X(int, begin, (struct store * s, struct gg_err *err), (s, err))           \
    X(int, commit, (struct store * s, struct gg_err *err), (s, err))          \
    X(int, rollback, (struct store * s, struct gg_err *err), (s, err))        \
    /* A read snapshot: the reads until store_read_end see one state of the  \
     * database and take its lock once (a request's reads, together). A    \
     * write inside it is attempted and may fail with GG_EBUSY. */           \
    X(int, read_begin, (struct store * s, struct gg_err *err), (s, err))     \
    X(int, read_end, (struct store * s, struct gg_err *err), (s, err))       \
    X(int, node_insert, (struct store * s, const struct store_node *n,        \
                         int64_t now, struct gg_err *err), (s, n, now, err))  \
    X(int, node_get, (struct store * s, const struct store_scope *scope,      \
                      const char *code, struct gg_arena *a,                   \
                      struct store_node **out, struct gg_err *err),           \
      (s, scope, code, a, out, err))                                          \
    X(int, node_children, (struct store * s, const struct store_scope *scope, \
                           const char *parent, struct gg_arena *a,            \
                           struct store_node **out, size_t *n,                \
                           struct gg_err *err),                               \
      (s, scope, parent, a, out, n, err))                                     \
    /* Renames (name non-NULL) and/or sets the chief (chief >= 0; 0 clears \
     * it); checks and bumps the version. */                                \
    X(int, node_update, (struct store * s, const char *code, int64_t version, \
                         const char *name, int64_t chief, int64_t now,        \
                         struct gg_err *err),                                 \
      (s, code, version, name, chief, now, err))                              \
    X(int, node_retire, (struct store * s, const char *code, int64_t version, \
                         int64_t now, struct gg_err *err),                    \
      (s, code, version, now, err))                                           \
    /* What lives under a node: live sub-nodes and registry rows. */         \
    X(int, node_holds, (struct store * s, const char *code, int64_t *nodes,   \
                        int64_t *rows, struct gg_err *err),                   \
      (s, code, nodes, rows, err))                                            \
    /* 1 in *taken if any node, live or retired, has this code or lies     \
     * under it. */                                                           \
    X(int, node_code_taken, (struct store * s, const char *code, int *taken,  \
                             struct gg_err *err), (s, code, taken, err))      \
    /* Gives a subtree a new code prefix under a new parent, in every table \
     * that names a node (inside the caller's transaction). */               \
    X(int, node_move, (struct store * s, const char *code,                    \
                       const char *new_code, const char *new_parent,          \
                       int64_t now, struct gg_err *err),                      \
      (s, code, new_code, new_parent, now, err))                              \
    X(int, node_history_add, (struct store * s,                               \
                              const struct store_node_change *c,              \
                              struct gg_err *err), (s, c, err))               \
    X(int, node_history, (struct store * s, const struct store_scope *scope,  \
                          const char *code, struct gg_arena *a,               \
                          struct store_node_change **out, size_t *n,          \
                          struct gg_err *err),                                \
      (s, scope, code, a, out, n, err))                                       \
    X(int, account_insert, (struct store * s, const struct store_account *acct, \
                            int64_t now, int64_t *id, struct gg_err *err),    \
      (s, acct, now, id, err))                                                \
    X(int, account_by_username, (struct store * s, const char *username,      \
                                 struct gg_arena *a,                          \
                                 struct store_account **out,                  \
                                 struct gg_err *err),                         \
      (s, username, a, out, err))                                             \
    X(int, account_by_id, (struct store * s, int64_t id, struct gg_arena *a,  \
                           struct store_account **out, struct gg_err *err),   \
      (s, id, a, out, err))                                                   \
    X(int, role_grant, (struct store * s, int64_t account_id,                 \
                        const char *role, const char *node_code, int64_t now, \
                        struct gg_err *err),                                  \
      (s, account_id, role, node_code, now, err))                             \
    X(int, account_roles, (struct store * s, int64_t account_id,              \
                           struct gg_arena *a, struct store_role **out,       \
                           size_t *n, struct gg_err *err),                    \
      (s, account_id, a, out, n, err))                                        \
    X(int, session_insert, (struct store * s,                                 \
                            const struct store_session *sess,                 \
                            struct gg_err *err), (s, sess, err))              \
    /* GG_ENOTFOUND when missing or expired at `now`. */                      \
    X(int, session_get, (struct store * s, const char *token_hash,            \
                         int64_t now, struct gg_arena *a,                     \
                         struct store_session **out, struct gg_err *err),     \
      (s, token_hash, now, a, out, err))                                      \
    X(int, session_touch, (struct store * s, const char *token_hash,          \
                           int64_t now, struct gg_err *err),                  \
      (s, token_hash, now, err))                                              \
    X(int, session_delete, (struct store * s, const char *token_hash,         \
                            struct gg_err *err), (s, token_hash, err))        \
    X(int, building_insert, (struct store * s, const struct store_building *b, \
                             int64_t now, int64_t *id, struct gg_err *err),   \
      (s, b, now, id, err))                                                   \
    X(int, household_insert, (struct store * s,                               \
                              const struct store_household *h, int64_t now,   \
                              int64_t *id, struct gg_err *err),               \
      (s, h, now, id, err))                                                   \
    X(int, person_insert, (struct store * s, const struct store_person *p,    \
                           int64_t now, int64_t *id, struct gg_err *err),     \
      (s, p, now, id, err))                                                   \
    X(int, org_insert, (struct store * s, const struct store_org *o,          \
                        int64_t now, int64_t *id, struct gg_err *err),        \
      (s, o, now, id, err))                                                   \
    X(int, grid_member_insert, (struct store * s,                             \
                                const struct store_grid_member *m,            \
                                int64_t now, struct gg_err *err),             \
      (s, m, now, err))                                                       \
    /* ---- account security ---- */                                         \
    /* Counts a failed login; locks the account for lock_s after `limit`     \
     * failures in a row and sets *locked_until (0: not locked). */           \
    X(int, account_login_failed, (struct store * s, int64_t id, int64_t now,  \
                                  int limit, int64_t lock_s,                  \
                                  int64_t *locked_until, struct gg_err *err), \
      (s, id, now, limit, lock_s, locked_until, err))                         \
    X(int, account_login_ok, (struct store * s, int64_t id,                   \
                              struct gg_err *err), (s, id, err))              \
    X(int, account_set_password, (struct store * s, int64_t id,               \
                                  const char *hash, int must_change,          \
                                  int64_t now, struct gg_err *err),           \
      (s, id, hash, must_change, now, err))                                   \
    /* Sets the sealed TOTP secret (pending: during enrolment); a NULL blob  \
     * clears it. */                                                          \
    X(int, account_set_totp, (struct store * s, int64_t id, int pending,      \
                              const struct store_blob *secret,                \
                              struct gg_err *err), (s, id, pending, secret, err)) \
    /* Records the last TOTP time step used; GG_ECONFLICT if not newer. */   \
    X(int, account_totp_step, (struct store * s, int64_t id, int64_t step,    \
                               struct gg_err *err), (s, id, step, err))       \
    /* Changes name and/or disabled (NULL / -1 keep them); checks version. */ \
    X(int, account_update, (struct store * s, int64_t id, int64_t version,    \
                            const char *display_name, int disabled,           \
                            int64_t now, struct gg_err *err),                 \
      (s, id, version, display_name, disabled, now, err))                     \
    X(int, account_unlock, (struct store * s, int64_t id, struct gg_err *err), \
      (s, id, err))                                                           \
    /* Accounts whose home node is in scope, by id after `after`, at most    \
     * limit; q filters username/display name by substring. */               \
    X(int, account_list, (struct store * s, const struct store_scope *scope,  \
                          const char *q, int64_t after, int limit,            \
                          struct gg_arena *a, struct store_account **out,     \
                          size_t *n, struct gg_err *err),                     \
      (s, scope, q, after, limit, a, out, n, err))                            \
    X(int, account_get_scoped, (struct store * s,                             \
                                const struct store_scope *scope, int64_t id,  \
                                struct gg_arena *a,                           \
                                struct store_account **out,                   \
                                struct gg_err *err),                          \
      (s, scope, id, a, out, err))                                            \
    /* Replaces all role grants; checks and bumps the account's version. */  \
    X(int, account_roles_replace, (struct store * s, int64_t id,              \
                                   int64_t version,                           \
                                   const struct store_grant *grants,          \
                                   size_t n, int64_t now, struct gg_err *err), \
      (s, id, version, grants, n, now, err))                                  \
    X(int, session_list, (struct store * s, int64_t account_id, int64_t now,  \
                          struct gg_arena *a, struct store_session **out,     \
                          size_t *n, struct gg_err *err),                     \
      (s, account_id, now, a, out, n, err))                                   \
    /* Ends the account's session whose token hash starts with prefix;      \
     * GG_ENOTFOUND if none. */                                               \
    X(int, session_delete_prefix, (struct store * s, int64_t account_id,      \
                                   const char *prefix, struct gg_err *err),   \
      (s, account_id, prefix, err))                                           \
    /* Ends all the account's sessions but `keep_hash` (may be NULL). */     \
    X(int, session_delete_account, (struct store * s, int64_t account_id,     \
                                    const char *keep_hash,                    \
                                    struct gg_err *err),                      \
      (s, account_id, keep_hash, err))                                        \
    /* Counts an attempt from address in a window of window_s; *count is    \
     * the attempts in the current window including this one. */            \
    X(int, login_attempt, (struct store * s, const char *address,             \
                           int64_t now, int64_t window_s, int64_t *count,     \
                           struct gg_err *err),                               \
      (s, address, now, window_s, count, err))                                \
    /* ---- API keys ---- */                                                 \
    X(int, apikey_insert, (struct store * s, const struct store_apikey *k,    \
                           int64_t *id, struct gg_err *err), (s, k, id, err)) \
    X(int, apikey_list, (struct store * s, const struct store_scope *scope,   \
                         struct gg_arena *a, struct store_apikey **out,       \
                         size_t *n, struct gg_err *err),                      \
      (s, scope, a, out, n, err))                                             \
    /* The live key with this hash (not revoked, not expired at now). */    \
    X(int, apikey_by_hash, (struct store * s, const char *key_hash,           \
                            int64_t now, struct gg_arena *a,                  \
                            struct store_apikey **out, struct gg_err *err),   \
      (s, key_hash, now, a, out, err))                                        \
    X(int, apikey_revoke, (struct store * s, const struct store_scope *scope, \
                           int64_t id, int64_t now, struct gg_err *err),      \
      (s, scope, id, now, err))                                               \
    X(int, apikey_touch, (struct store * s, int64_t id, int64_t now,          \
                          struct gg_err *err), (s, id, now, err))             \
    /* ---- audit log ---- */                                                \
    /* The newest record's seq and hash; with no records, the archive's     \
     * anchor (seq archived through, its hash; "" when nothing ever was). */ \
    X(int, audit_last, (struct store * s, int64_t *seq, char *hash,           \
                        size_t hash_cap, struct gg_err *err),                 \
      (s, seq, hash, hash_cap, err))                                          \
    X(int, audit_insert, (struct store * s, const struct store_audit *r,      \
                          struct gg_err *err), (s, r, err))                   \
    /* Newest first, filtered. */                                            \
    X(int, audit_list, (struct store * s,                                     \
                        const struct store_audit_filter *f,                   \
                        struct gg_arena *a, struct store_audit **out,         \
                        size_t *n, struct gg_err *err), (s, f, a, out, n, err)) \
    /* Calls fn on every record with seq > after, oldest first, until fn    \
     * returns non-zero (returned) or the records end (0). */                \
    X(int, audit_walk, (struct store * s, int64_t after,                      \
                        int (*fn)(void *ctx, const struct store_audit *r),    \
                        void *ctx, struct gg_err *err),                       \
      (s, after, fn, ctx, err))                                               \
    /* The archive's anchor: the last archived seq and its hash. */          \
    X(int, audit_anchor, (struct store * s, int64_t *seq, char *hash,         \
                          size_t hash_cap, struct gg_err *err),               \
      (s, seq, hash, hash_cap, err))                                          \
    /* Moves the anchor to (seq, hash) and removes the records up to seq:   \
     * call only once they are safely in an archive file. */                 \
    X(int, audit_archived, (struct store * s, int64_t seq, const char *hash,  \
                            struct gg_err *err), (s, seq, hash, err))         \
    /* ---- persons (masked reads) ---- */                                   \
    X(int, person_list, (struct store * s, const struct store_scope *scope,   \
                         const struct store_person_filter *f,                 \
                         struct gg_arena *a, struct store_person_row **out,   \
                         size_t *n, struct gg_err *err),                      \
      (s, scope, f, a, out, n, err))                                          \
    /* Counts under a node within scope: *total persons, per tag, and per   \
     * child (the code prefix of child_len digits). */                       \
    X(int, person_counts, (struct store * s, const struct store_scope *scope, \
                           const char *node, size_t child_len,                \
                           struct gg_arena *a, int64_t *total,                \
                           struct store_count **by_tag, size_t *n_tags,       \
                           struct store_count **by_child, size_t *n_children, \
                           struct gg_err *err),                               \
      (s, scope, node, child_len, a, total, by_tag, n_tags, by_child,         \
       n_children, err))                                                      \
    /* One person, masked, when in scope. */                                 \
    X(int, person_get, (struct store * s, const struct store_scope *scope,    \
                        int64_t id, struct gg_arena *a,                       \
                        struct store_person_row **out, struct gg_err *err),   \
      (s, scope, id, a, out, err))                                            \
    /* One person's whole record (sealed fields as stored), in scope. */    \
    X(int, person_record, (struct store * s, const struct store_scope *scope, \
                           int64_t id, struct gg_arena *a,                    \
                           struct store_person **out, struct gg_err *err),    \
      (s, scope, id, a, out, err))                                            \
    /* Replaces a person's record and tags; checks and bumps p->version. */  \
    X(int, person_update, (struct store * s, const struct store_person *p,    \
                           int64_t now, struct gg_err *err), (s, p, now, err)) \
    X(int, person_history_add, (struct store * s,                             \
                                const struct store_person_change *c,          \
                                struct gg_err *err), (s, c, err))             \
    X(int, person_history, (struct store * s, const struct store_scope *scope, \
                            int64_t id, struct gg_arena *a,                   \
                            struct store_person_change **out, size_t *n,      \
                            struct gg_err *err),                              \
      (s, scope, id, a, out, n, err))                                         \
    /* The node of a household, when in scope. */                            \
    X(int, household_node, (struct store * s, const struct store_scope *scope, \
                            int64_t id, struct gg_arena *a, const char **node, \
                            struct gg_err *err), (s, scope, id, a, node, err)) \
    /* One person's sealed ID and phone numbers, when in scope. */           \
    X(int, person_sealed, (struct store * s, const struct store_scope *scope, \
                           int64_t id, struct gg_arena *a,                    \
                           struct store_blob *id_no, struct store_blob *phone, \
                           struct gg_err *err),                               \
      (s, scope, id, a, id_no, phone, err))

struct gg_buf;

#define STORE_DECLARE(ret, name, params, args)                                \
    ret store_##name params __attribute__((warn_unused_result));
STORE_OPS(STORE_DECLARE)
#undef STORE_DECLARE

/*
 * Opens a database by URI: a file path or "sqlite:PATH" (PostgreSQL comes
 * later as "postgres://..."). GG_ENOTFOUND if the file is missing and
 * STORE_OPEN_CREATE was not given.
 */
int store_open(struct store **out, const char *uri, int flags,
               const struct store_options *opt, struct gg_err *err)
    __attribute__((warn_unused_result));
void store_close(struct store **s); /* NULL-safe; sets *s to NULL */
/* The newest schema version this program knows. */
int store_schema_latest(const char *uri);
/* Nanoseconds spent inside store operations, all threads, since start. */
uint64_t store_time_ns(void);
const char *store_node_level_name(enum store_node_level level);
int store_node_level_parse(const char *name, enum store_node_level *out);

#endif
