/*
 * account.h - accounts, roles and capabilities, logging in, sessions, the
 * second factor, and account administration.
 *
 * A session is a random token (sent to the browser in an HttpOnly cookie)
 * whose hash is stored; a CSRF token rides with it for writes. Sessions end
 * after their idle time (shorter for administrators) or session_max_s after
 * login. Passwords are Argon2id; an unknown user costs the same as a wrong
 * password. Five failures in a row lock an account for a while; an address
 * that tries too often is turned away. Every security event is written to
 * the audit log in the same transaction as the change it records.
 * Thread-safe: each caller brings its own store and arena.
 */
#ifndef DOMAIN_ACCOUNT_H
#define DOMAIN_ACCOUNT_H

#include "core/gg_crypto.h"
#include "core/gg_err.h"
#include "core/gg_mem.h"
#include "domain/password.h"
#include "store/store.h"

enum capability {
#define CAPABILITY(id, name) CAP_##id,
#include "domain/capabilities.def"
#undef CAPABILITY
    CAP__COUNT
};

enum role_kind { ROLE_KIND_STAFF, ROLE_KIND_PUBLIC, ROLE_KIND_ADMIN };

enum role_id {
#define ROLE(id, level, kind, caps) ROLE_##id,
#include "domain/roles.def"
#undef ROLE
    ROLE__COUNT
};

struct account_policy {
    int64_t session_idle_s;
    int64_t session_max_s;
    int64_t admin_idle_s;
    int login_max_failures;
    int64_t login_lock_s;
    int login_rate_max;         /* attempts per address per window */
    int64_t login_rate_window_s;
    struct password_policy password;
};

/*
 * A worker thread's cache of recently seen sessions, so that a request
 * with a known session needs no database reads to authenticate. Any
 * security change made through this process (login, logout, password,
 * roles, disabling, keys ...) empties every worker's cache at once; an
 * entry also lives at most ACCOUNT_CACHE_TTL_S, which bounds how long a
 * change made by another process (the command line) takes to be seen.
 * One per thread; not thread-safe.
 */
#define ACCOUNT_CACHE_TTL_S 5
struct account_cache;
struct account_cache *account_cache_new(void);
/* Empties every worker's cache: call after a change that touches roles or
 * accounts from outside this module (a node moved, so its grants moved). */
void account_security_changed(void);
void account_cache_free(struct account_cache *c); /* NULL-safe */

/* What one call works with. ip, user_agent and cache may be NULL. */
struct account_ctx {
    struct store *s;
    const struct gg_keys *keys;
    const struct account_policy *pol;
    int64_t now;  /* unix seconds */
    struct gg_arena *a;
    const char *ip;
    const char *user_agent;
    struct account_cache *cache;
    const char *person_tags; /* the configured tags, comma-separated */
    int in_tx; /* the caller holds a write transaction (an import): writes
                  neither begin nor commit their own */
    const char *node_checked; /* a node the caller found live in scope */
};

/* Who is asking: built per request in its arena. */
struct account_who {
    int64_t account_id;
    const char *username;
    const char *display_name;
    const char *csrf_token;
    const char *token_hash;
    struct store_role *roles;
    size_t n_roles;
    unsigned caps;             /* 1 << CAP_* */
    int is_staff, is_admin;
    int must_change_password;  /* first login, reset, or expired */
    int totp_enabled, totp_required;
    int64_t password_expires_at; /* 0: never */
    struct store_scope scope;  /* the nodes all roles reach */
    struct store_account *acct;
};

struct account_grant {
    const char *role;
    const char *node_code;
};

const char *role_name(enum role_id id);
int role_parse(const char *name, enum role_id *out)
    __attribute__((warn_unused_result));
const char *capability_name(enum capability c);
/* The capabilities (1 << CAP_*) of a role by name; 0 if unknown. */
unsigned role_caps(const char *role);
/* The nodes reached by the roles that grant capability c. */
void account_scope_for(const struct account_who *who, enum capability c,
                       struct gg_arena *a, struct store_scope *out);
/* Checks a set of grants: known roles at nodes of a fitting level, and the
 * administrator duties never combined. field names the input. */
int account_grants_check(const struct account_grant *g, size_t n,
                         const char *field, struct gg_err *err)
    __attribute__((warn_unused_result));

/* Logging in. GG_ERATE for too many attempts from ctx->ip (*retry_after
 * set), GG_EUNAUTH for a wrong user or password, GG_ELOCKED, GG_ETOTP when
 * a second-factor code is missing or wrong, GG_EFORBIDDEN when disabled. */
int account_login(const struct account_ctx *ctx, const char *username,
                  const char *password, const char *totp_code,
                  char token[GG_TOKEN_CHARS + 1], int64_t *retry_after,
                  struct account_who **who, struct gg_err *err)
    __attribute__((warn_unused_result));
/* Resolves a session token; GG_EUNAUTH when missing, expired or idle. */
int account_authenticate(const struct account_ctx *ctx, const char *token,
                         struct account_who **who, struct gg_err *err)
    __attribute__((warn_unused_result));
int account_logout(const struct account_ctx *ctx,
                   const struct account_who *who, struct gg_err *err)
    __attribute__((warn_unused_result));

/* Self-service. */
int account_change_password(const struct account_ctx *ctx,
                            const struct account_who *who, const char *old,
                            const char *new_password, struct gg_err *err)
    __attribute__((warn_unused_result));
/* Starts enrolment; *secret (base32) and *uri live in ctx->a. */
int account_totp_begin(const struct account_ctx *ctx,
                       const struct account_who *who, const char **secret,
                       const char **uri, struct gg_err *err)
    __attribute__((warn_unused_result));
int account_totp_confirm(const struct account_ctx *ctx,
                         const struct account_who *who, const char *code,
                         struct gg_err *err)
    __attribute__((warn_unused_result));
int account_totp_disable(const struct account_ctx *ctx,
                         const struct account_who *who, const char *password,
                         struct gg_err *err)
    __attribute__((warn_unused_result));
/* Ends one of who's sessions by its public id (a prefix of its hash). */
int account_session_end(const struct account_ctx *ctx,
                        const struct account_who *who, const char *id,
                        struct gg_err *err)
    __attribute__((warn_unused_result));

/* Administration, by a holder of accounts.manage within its scope.
 * New and reset passwords are random, shown once, changed at next login. */
/* person_id (0: none) links the account to a person of the registry,
 * who must be within the administrator's scope. */
int account_admin_create(const struct account_ctx *ctx,
                         const struct account_who *admin,
                         const char *username, const char *display_name,
                         const char *home_node, int64_t person_id,
                         const struct account_grant *grants, size_t n,
                         int64_t *id, char password[17], struct gg_err *err)
    __attribute__((warn_unused_result));
int account_admin_update(const struct account_ctx *ctx,
                         const struct account_who *admin, int64_t id,
                         int64_t version, const char *display_name,
                         int disabled, struct gg_err *err)
    __attribute__((warn_unused_result));
int account_admin_roles(const struct account_ctx *ctx,
                        const struct account_who *admin, int64_t id,
                        int64_t version, const struct account_grant *grants,
                        size_t n, struct gg_err *err)
    __attribute__((warn_unused_result));
int account_admin_reset(const struct account_ctx *ctx,
                        const struct account_who *admin, int64_t id,
                        char password[17], struct gg_err *err)
    __attribute__((warn_unused_result));
int account_admin_unlock(const struct account_ctx *ctx,
                         const struct account_who *admin, int64_t id,
                         struct gg_err *err)
    __attribute__((warn_unused_result));
int account_admin_end_sessions(const struct account_ctx *ctx,
                               const struct account_who *admin, int64_t id,
                               struct gg_err *err)
    __attribute__((warn_unused_result));

/* Creates an account with its grants inside the caller's transaction (demo
 * data, `gridgov init --admin`). password_hash is an Argon2id string. */
int account_create(struct store *s, const char *username,
                   const char *display_name, const char *password_hash,
                   int64_t person_id, const char *home_node,
                   int must_change, const struct account_grant *grants,
                   size_t n, int64_t now, int64_t *id, struct gg_err *err)
    __attribute__((warn_unused_result));
/* Usernames: 2-64 of [A-Za-z0-9_.-]. */
int account_username_check(const char *username, struct gg_err *err)
    __attribute__((warn_unused_result));

#endif
