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
    int cache_kib; /* the page cache of this connection; 0: the default */
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

/* One entry of a record's history (record_history): nodes, persons,
 * buildings, households, organisations and party organisations alike.
 * record_id is the row id, or for a node its code as a number. */
struct store_change {
    int64_t id;
    const char *kind; /* node person building household organisation party_org */
    int64_t record_id;
    const char *node_code;
    int64_t at;
    int64_t actor_id;
    const char *action;         /* create update rename move retire ... */
    const char *before, *after; /* JSON snapshots (masked); NULL: none */
    const char *actor;          /* reads: the actor's display name */
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
    const char *relation; /* GB/T 4761 */
    int64_t household_id; /* 0: none */
    const char *ethnic, *political, *moved_in, *moved_out;
    const char *building; /* the household's building, unit and room */
    int unit_no;
    const char *room;
};

/* What a person search asks for; NULL or 0 means "any". */
struct store_person_filter {
    const char *node;                /* required: a node under the scope */
    const char *name_prefix;
    const unsigned char *id_blind;   /* GG_BLIND_BYTES: exact ID number */
    const unsigned char *phone_blind; /* exact phone number */
    const char *tag;
    const char *address;             /* substring of the building address */
    int64_t building;                /* persons living in this building */
    int64_t household;               /* the members of this household */
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

/*
 * Registry records that share one shape (楼栋, 户, 组织, 党组织): an id, a
 * version, the node they belong to and a row of typed fields, the same for
 * every backend. The field lists below are the records' columns, in order;
 * the domain (domain/registry.c) owns their meaning and validation.
 * F(name, type) with type TEXT, INT or REAL.
 */
#define STORE_BUILDING_FIELDS(F)                                              \
    F(name, TEXT) F(address, TEXT) F(kind, TEXT) F(floors, INT)               \
    F(units, INT) F(lon, REAL) F(lat, REAL)
#define STORE_HOUSEHOLD_FIELDS(F)                                             \
    F(building_id, INT) F(unit_no, INT) F(room, TEXT)
#define STORE_ORG_FIELDS(F)                                                   \
    F(kind, TEXT) F(name, TEXT) F(credit_code, TEXT) F(address, TEXT)         \
    F(lon, REAL) F(lat, REAL) F(contact, TEXT) F(agreement_from, TEXT)        \
    F(agreement_to, TEXT)
#define STORE_PARTY_ORG_FIELDS(F)                                             \
    F(parent_id, INT) F(kind, TEXT) F(name, TEXT)
#define STORE_DEPARTMENT_FIELDS(F)                                            \
    F(name, TEXT) F(phone, TEXT) F(duty, TEXT)
#define STORE_SERVICE_FIELDS(F)                                               \
    F(category, TEXT) F(name, TEXT) F(provider_id, INT) F(description, TEXT)  \
    F(price, TEXT) F(active, INT)

enum store_kind {
    STORE_KIND_BUILDING = 0, /* buildings */
    STORE_KIND_HOUSEHOLD,    /* households; count: members */
    STORE_KIND_ORG,          /* organisations */
    STORE_KIND_PARTY_ORG,    /* party_orgs; count: members */
    STORE_KIND_DEPARTMENT,   /* departments; count: members */
    STORE_KIND_SERVICE,      /* services (the catalogue); label: provider */
    STORE_KIND__COUNT
};

enum store_type { STORE_TEXT = 1, STORE_INT, STORE_REAL };

struct store_field {
    const char *name; /* column */
    enum store_type type;
};

/* The fields of each kind, and their number; index them with the
 * STORE_F_<KIND>_<name> constants. */
extern const struct store_field *const store_kind_fields[STORE_KIND__COUNT];
extern const size_t store_kind_nfields[STORE_KIND__COUNT];
/* The kind's name in record_history ("building" ...). */
extern const char *const store_kind_name[STORE_KIND__COUNT];

enum { STORE_BUILDING_FIELDS_ENUM_START = -1,
#define F(n, t) STORE_F_BUILDING_##n,
    STORE_BUILDING_FIELDS(F)
#undef F
};
enum { STORE_HOUSEHOLD_FIELDS_ENUM_START = -1,
#define F(n, t) STORE_F_HOUSEHOLD_##n,
    STORE_HOUSEHOLD_FIELDS(F)
#undef F
};
enum { STORE_ORG_FIELDS_ENUM_START = -1,
#define F(n, t) STORE_F_ORG_##n,
    STORE_ORG_FIELDS(F)
#undef F
};
enum { STORE_PARTY_ORG_FIELDS_ENUM_START = -1,
#define F(n, t) STORE_F_PARTY_ORG_##n,
    STORE_PARTY_ORG_FIELDS(F)
#undef F
};
enum { STORE_DEPARTMENT_FIELDS_ENUM_START = -1,
#define F(n, t) STORE_F_DEPARTMENT_##n,
    STORE_DEPARTMENT_FIELDS(F)
#undef F
};
enum { STORE_SERVICE_FIELDS_ENUM_START = -1,
#define F(n, t) STORE_F_SERVICE_##n,
    STORE_SERVICE_FIELDS(F)
#undef F
};

#define STORE_FIELDS_MAX 12

/* One value; set 0 is SQL NULL. */
struct store_value {
    int set;
    int64_t i;
    double r;
    const char *s;
};

struct store_record {
    int64_t id;
    int64_t version;        /* filled by reads; checked by updates */
    const char *node_code;
    const char *node_name;  /* reads */
    int64_t count;          /* reads: households of a building, members of
                               a household or a party organisation */
    const char *label;      /* reads: a household's building name */
    struct store_value v[STORE_FIELDS_MAX];
};

/* What a record list asks for; NULL or 0 means "any". */
struct store_record_filter {
    const char *node;      /* required: a node under the scope */
    const char *q;         /* substring of the name (and address) */
    const char *kind;      /* organisations, party organisations: the kind */
    int64_t parent;        /* households: the building */
    int64_t after;         /* keyset: ids greater than this */
    int limit;
};

/* A member of a party organisation (党员). */
struct store_party_member {
    int64_t party_org_id, person_id;
    const char *node_code;
    const char *duty;      /* secretary deputy committee member */
    const char *joined_on; /* YYYY-MM-DD or NULL */
    int center_household;  /* the member's household is a 党员中心户 */
    const char *name;      /* reads */
    int64_t household_id;  /* reads */
};

/* A post in a grid's roster (一网多员). */
struct store_roster {
    int64_t id;
    const char *node_code;
    int64_t person_id;
    const char *post;       /* grid_chief ... (schema CHECK) */
    const char *work_phone; /* published service number, or NULL */
    int64_t building_id;    /* 0: none */
    int unit_no;            /* 0: none */
    const int64_t *households; /* household-link chiefs: the households */
    size_t n_households;
    int64_t since;
    const char *name;       /* reads */
    const char *building_name; /* reads */
};

/* A node's boundary (GeoJSON text, see domain/geo.h). */
struct store_geometry {
    const char *node_code;
    const char *name;       /* reads */
    enum store_node_level level;
    const char *geojson;
    double area_m2;
    double bbox[4];         /* min_lon min_lat max_lon max_lat */
};

struct store_import_job {
    int64_t id;
    const char *kind;       /* persons buildings households organisations */
    const char *node_code;
    int64_t actor_id;
    const char *state;      /* queued running done failed */
    int dry_run;
    const char *mode;       /* all skip */
    int64_t total, processed, ok, bad;
    const char *errors;     /* JSON array of {line, field, reason} */
    const char *message;
    int64_t created_at, started_at, finished_at;
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
    /* One nested step inside a write transaction (an imported row): undo  \
     * it alone, or keep it. */                                              \
    X(int, step_begin, (struct store * s, struct gg_err *err), (s, err))     \
    X(int, step_keep, (struct store * s, struct gg_err *err), (s, err))      \
    X(int, step_undo, (struct store * s, struct gg_err *err), (s, err))      \
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
    /* Appends to a record's history (inside the caller's transaction). */  \
    X(int, history_add, (struct store * s, const struct store_change *c,      \
                         struct gg_err *err), (s, c, err))                    \
    /* A record's history, newest first, at most 500 entries; the caller    \
     * has checked that the record is in scope. */                           \
    X(int, history_list, (struct store * s, const char *kind,                 \
                          int64_t record_id, struct gg_arena *a,              \
                          struct store_change **out, size_t *n,               \
                          struct gg_err *err),                                \
      (s, kind, record_id, a, out, n, err))                                   \
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
    X(int, person_insert, (struct store * s, const struct store_person *p,    \
                           int64_t now, int64_t *id, struct gg_err *err),     \
      (s, p, now, id, err))                                                   \
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
    /* The node of a household, when in scope. */                            \
    X(int, household_node, (struct store * s, const struct store_scope *scope, \
                            int64_t id, struct gg_arena *a, const char **node, \
                            struct gg_err *err), (s, scope, id, a, node, err)) \
    /* One person's sealed ID and phone numbers, when in scope. */           \
    X(int, person_sealed, (struct store * s, const struct store_scope *scope, \
                           int64_t id, struct gg_arena *a,                    \
                           struct store_blob *id_no, struct store_blob *phone, \
                           struct gg_err *err),                               \
      (s, scope, id, a, id_no, phone, err))                                   \
    /* ---- registry records (buildings, households, organisations, party  \
     * organisations) ---- */                                                \
    X(int, record_insert, (struct store * s, enum store_kind kind,            \
                           const struct store_record *r, int64_t now,         \
                           int64_t *id, struct gg_err *err),                  \
      (s, kind, r, now, id, err))                                             \
    /* Replaces node and fields; checks and bumps r->version. */             \
    X(int, record_update, (struct store * s, enum store_kind kind,            \
                           const struct store_record *r, int64_t now,         \
                           struct gg_err *err), (s, kind, r, now, err))       \
    X(int, record_get, (struct store * s, enum store_kind kind,               \
                        const struct store_scope *scope, int64_t id,          \
                        struct gg_arena *a, struct store_record **out,        \
                        struct gg_err *err), (s, kind, scope, id, a, out, err)) \
    /* In id order after f->after, at most f->limit. */                      \
    X(int, record_list, (struct store * s, enum store_kind kind,              \
                         const struct store_scope *scope,                     \
                         const struct store_record_filter *f,                 \
                         struct gg_arena *a, struct store_record **out,       \
                         size_t *n, struct gg_err *err),                      \
      (s, kind, scope, f, a, out, n, err))                                    \
    /* The building of this name under node (exactly), for imports. */       \
    X(int, building_find, (struct store * s, const char *node,                \
                           const char *name, int64_t *id,                     \
                           struct gg_err *err), (s, node, name, id, err))     \
    /* The household at (building, unit, room). */                           \
    X(int, household_find, (struct store * s, int64_t building_id,            \
                            int unit_no, const char *room, int64_t *id,       \
                            const char **node, struct gg_arena *a,            \
                            struct gg_err *err),                              \
      (s, building_id, unit_no, room, id, node, a, err))                      \
    /* Counts under a node (the caller has checked it is in scope):        \
     * persons, buildings, households, organisations, party organisations. */ \
    X(int, node_counts, (struct store * s, const char *node,                  \
                         int64_t counts[5], struct gg_err *err),              \
      (s, node, counts, err))                                                 \
    /* ---- party members ---- */                                           \
    /* Adds or changes a member. */                                          \
    X(int, party_member_put, (struct store * s,                               \
                              const struct store_party_member *m,             \
                              int64_t now, struct gg_err *err),               \
      (s, m, now, err))                                                       \
    X(int, party_member_delete, (struct store * s, int64_t org_id,            \
                                 int64_t person_id, struct gg_err *err),      \
      (s, org_id, person_id, err))                                            \
    X(int, party_members, (struct store * s, int64_t org_id,                  \
                           struct gg_arena *a,                                \
                           struct store_party_member **out, size_t *n,        \
                           struct gg_err *err), (s, org_id, a, out, n, err))  \
    /* ---- roster ---- */                                                  \
    X(int, roster_insert, (struct store * s, const struct store_roster *r,    \
                           int64_t *id, struct gg_err *err), (s, r, id, err)) \
    /* Removes a post in scope; *out (in a) gets what it was. */           \
    X(int, roster_delete, (struct store * s, const struct store_scope *scope, \
                           int64_t id, struct gg_arena *a,                    \
                           struct store_roster **out, struct gg_err *err),    \
      (s, scope, id, a, out, err))                                            \
    /* The posts of one node (not its descendants), by post then id. */      \
    X(int, roster_list, (struct store * s, const char *node,                  \
                         struct gg_arena *a, struct store_roster **out,       \
                         size_t *n, struct gg_err *err), (s, node, a, out, n, err)) \
    /* ---- geometry ---- */                                                \
    X(int, geometry_put, (struct store * s, const struct store_geometry *g,   \
                          int64_t now, struct gg_err *err), (s, g, now, err)) \
    X(int, geometry_delete, (struct store * s, const char *code,              \
                             struct gg_err *err), (s, code, err))             \
    /* One node's boundary: GG_ENOTFOUND when it has none. */                \
    X(int, geometry_get, (struct store * s, const char *code,                 \
                          struct gg_arena *a, struct store_geometry **out,    \
                          struct gg_err *err), (s, code, a, out, err))        \
    /* The boundaries of a node's live children. */                          \
    X(int, geometry_children, (struct store * s, const char *code,            \
                               struct gg_arena *a,                            \
                               struct store_geometry **out, size_t *n,        \
                               struct gg_err *err), (s, code, a, out, n, err)) \
    /* Calls fn with every live grid's boundary (for the lookup index);     \
     * *seq is the geometry sequence they were read at. */                   \
    X(int, geometry_grids, (struct store * s,                                 \
                            int (*fn)(void *ctx,                              \
                                      const struct store_geometry *g),        \
                            void *ctx, int64_t *seq, struct gg_err *err),     \
      (s, fn, ctx, seq, err))                                                 \
    /* The geometry sequence: it grows with every change of a boundary. */  \
    X(int, geometry_seq, (struct store * s, int64_t *seq, struct gg_err *err), \
      (s, seq, err))                                                          \
    /* Buildings with a location under node within scope, at most limit.   \
     */                                                                       \
    X(int, building_points, (struct store * s,                                \
                             const struct store_scope *scope,                 \
                             const char *node, int limit, struct gg_arena *a, \
                             struct store_record **out, size_t *n,            \
                             struct gg_err *err),                             \
      (s, scope, node, limit, a, out, n, err))                                \
    /* ---- import jobs ---- */                                             \
    X(int, import_job_insert, (struct store * s,                              \
                               const struct store_import_job *j, int64_t *id, \
                               struct gg_err *err), (s, j, id, err))          \
    /* Writes state, counts, errors, message and times. */                   \
    X(int, import_job_update, (struct store * s,                              \
                               const struct store_import_job *j,              \
                               struct gg_err *err), (s, j, err))              \
    /* The oldest queued job; GG_ENOTFOUND when none waits. */              \
    X(int, import_job_next, (struct store * s, struct gg_arena *a,            \
                             struct store_import_job **out,                   \
                             struct gg_err *err), (s, a, out, err))           \
    /* Marks jobs left running by a stopped server as failed. */            \
    X(int, import_jobs_interrupted, (struct store * s, int64_t now,           \
                                     struct gg_err *err), (s, now, err))      \
    X(int, import_job_get, (struct store * s, const struct store_scope *scope, \
                            int64_t id, struct gg_arena *a,                   \
                            struct store_import_job **out,                    \
                            struct gg_err *err), (s, scope, id, a, out, err))


/* ---- the case engine (domain/case.h) ---- */

/* A case of any family. Text fields are the stored codes (family, state,
 * category, source ...); the domain owns their meaning. */
struct store_case {
    int64_t id, version;
    const char *family, *category, *source, *state;
    int urgency;                /* 1 一般, 2 紧急, 3 特急 */
    const char *title, *description, *address;
    const char *node_code;      /* where it happened */
    const char *level_code;     /* the node that holds it now */
    int has_point;
    double lon, lat;
    int64_t reporter_id;        /* account; 0: none */
    const char *contact_name;
    struct store_sealed contact; /* the contact's phone; sealed NULL: none */
    const char *assignee_kind;  /* account post department org; NULL */
    int64_t assignee_id;        /* account, department or org id */
    const char *assignee_post;  /* a roster post of the case's grid */
    int64_t handler_id;         /* who reported back last */
    int64_t building_id, org_id, service_id, duplicate_of;
    const char *outcome;        /* disputes */
    const char *extra;          /* JSON object: the family's other fields */
    int rating;                 /* 0: none */
    const char *rating_comment;
    int rework_count;
    int64_t reported_at, accepted_at, dispatched_at, handled_at, closed_at,
        rated_at;
    int64_t response_yellow, response_due, resolve_yellow, resolve_due;
    int alert;                  /* 0 green, 1 yellow, 2 red */
    int64_t next_alert_at;      /* 0: none */
    int64_t updated_at;
    /* reads */
    const char *node_name, *level_name, *reporter_name, *assignee_name,
        *handler_name;
};

/* What a case list asks for; NULL or 0 means "any". */
struct store_case_filter {
    const char *node;           /* under this node (and the scope) */
    const struct store_scope *scope; /* NULL: no scope rows (only the
                                        relations below) */
    int64_t reporter_id;        /* ... or reported by this account */
    int64_t account_id;         /* ... or assigned to this account */
    const int64_t *departments; /* ... or assigned / summoned to these */
    size_t n_departments;
    const char *const *posts;   /* ... or assigned to one of these posts,
                                   as "post@node" */
    size_t n_posts;
    int mine_only;              /* only the relations, not the scope */
    const char *family, *category, *source, *state;
    int open;                   /* 1 open only, 2 closed/ended only */
    int alert;                  /* > 0: at least this alert */
    const char *q;              /* substring of the title */
    int64_t from, to;           /* reported in [from, to) */
    int64_t after;              /* keyset: ids below this (newest first) */
    int limit;
};

struct store_case_log {
    int64_t id, case_id, at, actor_id;
    const char *action, *from_state, *to_state, *note, *detail;
    const char *actor;          /* reads */
};

struct store_summons {
    int64_t case_id, department_id, summoned_at, summoned_by, acked_at,
        reported_at;
    const char *report;
    const char *department;     /* reads */
};

struct store_photo {
    const char *hash, *mime;
    int64_t size;
    int width, height;
    int64_t uploaded_by, at;
    int64_t log_id;             /* reads of a case's photos */
};

struct store_case_rule {
    const char *family, *category; /* category "": any */
    int urgency;
    int64_t response_min, resolve_min;
    const char *clock;          /* work clock */
};

struct store_calendar_day {
    const char *day;            /* YYYY-MM-DD */
    int work;                   /* 1 make-up working day, 0 holiday */
    const char *name;
};

struct store_notification {
    int64_t id, account_id, at, case_id, read_at;
    const char *kind, *detail;
    const char *case_title;     /* reads */
};

struct store_points {
    int64_t id, at, account_id, case_id;
    const char *node_code;
    int64_t points;
    const char *reason;
    const char *name;           /* reads: the account or node */
};

/* An account that holds a post in a grid's roster (派遣对象). */
struct store_post_holder {
    int64_t account_id;
    const char *name, *post;
};

/* Aggregates of cases for statistics (one group). */
struct store_case_stats {
    const char *key;            /* the group's key ("" for all) */
    int64_t total, open, closed, ended; /* ended: rejected withdrawn merged */
    int64_t closed_on_time, due, reworked, rated, satisfied;
    int64_t disputes;           /* disputes not rejected, withdrawn, merged */
    int64_t mediated, mediated_ok, responded_on_time, responded;
    int64_t handle_s;           /* sum of reported -> closed, closed ones */
    int64_t red, yellow;        /* open ones now */
};

enum store_case_group {
    CASE_GROUP_NONE = 0, CASE_GROUP_STATE, CASE_GROUP_FAMILY,
    CASE_GROUP_CATEGORY, CASE_GROUP_SOURCE, CASE_GROUP_CHILD,
    CASE_GROUP_WEEK, CASE_GROUP_MONTH
};

#define STORE_CASE_OPS(X)                                                     \
    X(int, case_insert, (struct store * s, const struct store_case *c,        \
                         int64_t *id, struct gg_err *err), (s, c, id, err))   \
    /* One case by id (no scope: the domain decides who may see it). */     \
    X(int, case_get, (struct store * s, int64_t id, struct gg_arena *a,       \
                      struct store_case **out, struct gg_err *err),           \
      (s, id, a, out, err))                                                   \
    /* Writes every mutable column; checks and bumps c->version. */          \
    X(int, case_update, (struct store * s, const struct store_case *c,        \
                         struct gg_err *err), (s, c, err))                    \
    /* Newest first, by id below f->after, at most f->limit. */             \
    X(int, case_list, (struct store * s, const struct store_case_filter *f,   \
                       struct gg_arena *a, struct store_case **out,           \
                       size_t *n, struct gg_err *err), (s, f, a, out, n, err)) \
    /* Open cases of a family and category reported since `since` whose    \
     * point lies in the box, but not `except`. */                           \
    X(int, case_nearby, (struct store * s, const char *family,                \
                         const char *category, const double box[4],           \
                         int64_t since, int64_t except, struct gg_arena *a,   \
                         struct store_case **out, size_t *n,                  \
                         struct gg_err *err),                                 \
      (s, family, category, box, since, except, a, out, n, err))              \
    X(int, case_log_add, (struct store * s, const struct store_case_log *l,   \
                          int64_t *id, struct gg_err *err), (s, l, id, err))  \
    /* Oldest first. */                                                      \
    X(int, case_log_list, (struct store * s, int64_t case_id,                 \
                           struct gg_arena *a, struct store_case_log **out,   \
                           size_t *n, struct gg_err *err),                    \
      (s, case_id, a, out, n, err))                                           \
    /* Cases whose next_alert_at has come, at most limit, soonest first. */ \
    X(int, case_alerts_due, (struct store * s, int64_t now, int limit,        \
                             struct gg_arena *a, struct store_case **out,     \
                             size_t *n, struct gg_err *err),                  \
      (s, now, limit, a, out, n, err))                                        \
    /* Sets alert and next_alert_at (0: none) without a new version. */     \
    X(int, case_alert_set, (struct store * s, int64_t id, int alert,          \
                            int64_t next_alert_at, struct gg_err *err),       \
      (s, id, alert, next_alert_at, err))                                     \
    X(int, summons_put, (struct store * s, const struct store_summons *m,     \
                         struct gg_err *err), (s, m, err))                    \
    X(int, summons_list, (struct store * s, int64_t case_id,                  \
                          struct gg_arena *a, struct store_summons **out,     \
                          size_t *n, struct gg_err *err),                     \
      (s, case_id, a, out, n, err))                                           \
    /* Inserts a photo's row unless its hash is known. */                   \
    X(int, photo_put, (struct store * s, const struct store_photo *p,         \
                       struct gg_err *err), (s, p, err))                      \
    X(int, photo_get, (struct store * s, const char *hash,                    \
                       struct gg_arena *a, struct store_photo **out,          \
                       struct gg_err *err), (s, hash, a, out, err))           \
    X(int, case_photo_add, (struct store * s, int64_t case_id,                \
                            int64_t log_id, const char *hash,                 \
                            struct gg_err *err), (s, case_id, log_id, hash, err)) \
    X(int, case_photos, (struct store * s, int64_t case_id,                   \
                         struct gg_arena *a, struct store_photo **out,        \
                         size_t *n, struct gg_err *err),                      \
      (s, case_id, a, out, n, err))                                           \
    /* The cases a photo is attached to (at most 16). */                     \
    X(int, photo_cases, (struct store * s, const char *hash,                  \
                         int64_t ids[16], size_t *n, struct gg_err *err),     \
      (s, hash, ids, n, err))                                                 \
    /* The rule for (family, category, urgency), falling back to category  \
     * "". */                                                                \
    X(int, case_rule_get, (struct store * s, const char *family,              \
                           const char *category, int urgency,                 \
                           struct gg_arena *a, struct store_case_rule **out,  \
                           struct gg_err *err),                               \
      (s, family, category, urgency, a, out, err))                            \
    X(int, case_rules, (struct store * s, struct gg_arena *a,                 \
                        struct store_case_rule **out, size_t *n,              \
                        struct gg_err *err), (s, a, out, n, err))             \
    X(int, case_rule_put, (struct store * s, const struct store_case_rule *r, \
                           struct gg_err *err), (s, r, err))                  \
    X(int, case_rule_delete, (struct store * s, const char *family,           \
                              const char *category, int urgency,              \
                              struct gg_err *err),                            \
      (s, family, category, urgency, err))                                    \
    /* Calendar exceptions between from and to (YYYY-MM-DD, inclusive). */  \
    X(int, calendar_list, (struct store * s, const char *from,                \
                           const char *to, struct gg_arena *a,                \
                           struct store_calendar_day **out, size_t *n,        \
                           struct gg_err *err), (s, from, to, a, out, n, err)) \
    /* Replaces the exceptions between from and to with days. */            \
    X(int, calendar_replace, (struct store * s, const char *from,             \
                              const char *to,                                 \
                              const struct store_calendar_day *days,          \
                              size_t n, struct gg_err *err),                  \
      (s, from, to, days, n, err))                                            \
    X(int, department_member_put, (struct store * s, int64_t department_id,   \
                                   int64_t account_id, int64_t now,           \
                                   struct gg_err *err),                       \
      (s, department_id, account_id, now, err))                               \
    X(int, department_member_delete, (struct store * s,                       \
                                      int64_t department_id,                  \
                                      int64_t account_id,                     \
                                      struct gg_err *err),                    \
      (s, department_id, account_id, err))                                    \
    /* The members of a department (account id, display name). */          \
    X(int, department_members, (struct store * s, int64_t department_id,      \
                                struct gg_arena *a, struct store_count **out, \
                                size_t *n, struct gg_err *err),               \
      (s, department_id, a, out, n, err))                                     \
    /* The departments an account acts for (at most 32). */                 \
    X(int, account_departments, (struct store * s, int64_t account_id,        \
                                 int64_t ids[32], size_t *n,                  \
                                 struct gg_err *err),                         \
      (s, account_id, ids, n, err))                                           \
    /* The accounts of the persons who hold a post at a node (at most 32);  \
     * post NULL: the grid chiefs. */                                         \
    X(int, post_accounts, (struct store * s, const char *node,                \
                           const char *post, int64_t ids[32], size_t *n,      \
                           struct gg_err *err), (s, node, post, ids, n, err)) \
    /* The accounts whose persons hold posts at a node, by post. */        \
    X(int, post_holders, (struct store * s, const char *node,                 \
                          struct gg_arena *a, struct store_post_holder **out, \
                          size_t *n, struct gg_err *err),                     \
      (s, node, a, out, n, err))                                              \
    /* The posts an account's person holds, as "post@node" (at most 32). */ \
    X(int, account_posts, (struct store * s, int64_t account_id,              \
                           struct gg_arena *a, const char **out, size_t *n,   \
                           struct gg_err *err), (s, account_id, a, out, n, err)) \
    X(int, notification_add, (struct store * s,                               \
                              const struct store_notification *m,             \
                              int64_t *id, struct gg_err *err),               \
      (s, m, id, err))                                                        \
    /* Newest first below `before` (0: from the newest); *unread counts all \
     * unread. */                                                            \
    X(int, notifications, (struct store * s, int64_t account_id,              \
                           int unread_only, int64_t before, int limit,        \
                           struct gg_arena *a,                                \
                           struct store_notification **out, size_t *n,        \
                           int64_t *unread, struct gg_err *err),              \
      (s, account_id, unread_only, before, limit, a, out, n, unread, err))    \
    /* Marks read: one (id > 0) or all up to and including id (-id). */     \
    X(int, notifications_read, (struct store * s, int64_t account_id,         \
                                int64_t id, int64_t now, int64_t *changed,    \
                                struct gg_err *err),                          \
      (s, account_id, id, now, changed, err))                                 \
    X(int, points_add, (struct store * s, const struct store_points *p,       \
                        struct gg_err *err), (s, p, err))                     \
    /* Points under node in [from, to): by account (by_node 0) or by the   \
     * node prefix of by_node digits; highest first, at most limit. */      \
    X(int, points_ranking, (struct store * s, const char *node,               \
                            int64_t from, int64_t to, size_t by_node,         \
                            int limit, struct gg_arena *a,                    \
                            struct store_points **out, size_t *n,             \
                            struct gg_err *err),                              \
      (s, node, from, to, by_node, limit, a, out, n, err))                    \
    /* The ledger under node in [from, to), of one account (0: all),       \
     * newest first, at most limit. */                                       \
    X(int, points_ledger, (struct store * s, const char *node,                \
                           int64_t account_id, int64_t from, int64_t to,      \
                           int limit, struct gg_arena *a,                     \
                           struct store_points **out, size_t *n,              \
                           struct gg_err *err),                               \
      (s, node, account_id, from, to, limit, a, out, n, err))                 \
    /* Aggregates of the cases under f->node (scope, family, category,     \
     * source, from, to of f), grouped; child: the prefix length. */         \
    X(int, case_stats, (struct store * s, const struct store_case_filter *f,  \
                        enum store_case_group group, size_t child_len,        \
                        int64_t now, struct gg_arena *a,                      \
                        struct store_case_stats **out, size_t *n,             \
                        struct gg_err *err),                                  \
      (s, f, group, child_len, now, a, out, n, err))

struct gg_buf;

#define STORE_DECLARE(ret, name, params, args)                                \
    ret store_##name params __attribute__((warn_unused_result));
STORE_OPS(STORE_DECLARE)
STORE_CASE_OPS(STORE_DECLARE)
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
/* Whether code lies under one of the scope's nodes. */
int store_scope_covers(const struct store_scope *scope, const char *code);
/* The newest schema version this program knows. */
int store_schema_latest(const char *uri);
/* Nanoseconds spent inside store operations, all threads, since start. */
uint64_t store_time_ns(void);
const char *store_node_level_name(enum store_node_level level);
int store_node_level_parse(const char *name, enum store_node_level *out);

#endif
