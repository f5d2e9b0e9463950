/*
 * account.h - logging in, sessions, and who is asking.
 *
 * A session is a random token (sent to the browser in an HttpOnly cookie)
 * whose hash is stored; a CSRF token rides with it for writes. Sessions end
 * after session_idle_s without use or session_max_s after login.
 * Passwords are Argon2id; a login for an unknown user costs the same as a
 * wrong password. Thread-safe (each caller brings its own store).
 */
#ifndef DOMAIN_ACCOUNT_H
#define DOMAIN_ACCOUNT_H

#include "core/gg_crypto.h"
#include "core/gg_err.h"
#include "core/gg_mem.h"
#include "store/store.h"

enum role_id {
#define ROLE(id, level) ROLE_##id,
#include "domain/roles.def"
#undef ROLE
    ROLE__COUNT
};

struct account_policy {
    int64_t session_idle_s;
    int64_t session_max_s;
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
    struct store_scope scope; /* the nodes the roles reach */
};

const char *role_name(enum role_id id);
int role_parse(const char *name, enum role_id *out)
    __attribute__((warn_unused_result));

/* Checks the password and opens a session; *token receives the cookie
 * value. GG_EUNAUTH for a wrong user or password, GG_EFORBIDDEN for a
 * disabled account. */
int account_login(struct store *s, const struct account_policy *pol,
                  const char *username, const char *password, int64_t now,
                  struct gg_arena *a, char token[GG_TOKEN_CHARS + 1],
                  struct account_who **who, struct gg_err *err)
    __attribute__((warn_unused_result));
/* Resolves a session token; GG_EUNAUTH when missing, expired or idle. */
int account_authenticate(struct store *s, const struct account_policy *pol,
                         const char *token, int64_t now, struct gg_arena *a,
                         struct account_who **who, struct gg_err *err)
    __attribute__((warn_unused_result));
int account_logout(struct store *s, const struct account_who *who,
                   struct gg_err *err) __attribute__((warn_unused_result));
/* Creates an account with its role grants (inside the caller's
 * transaction). password_hash is an Argon2id string. */
int account_create(struct store *s, const char *username,
                   const char *display_name, const char *password_hash,
                   int64_t person_id, const char *const (*grants)[2],
                   size_t n_grants, int64_t now, int64_t *id,
                   struct gg_err *err) __attribute__((warn_unused_result));

#endif
