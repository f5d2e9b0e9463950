#include "core/gg.h"
#include "core/gg_log.h"
#include "domain/account.h"
#include "domain/node.h"

#include <pthread.h>

static const struct {
    const char *name;
    enum store_node_level lowest;
} roles[ROLE__COUNT] = {
#define ROLE(id, level) [ROLE_##id] = {#id, level},
#include "domain/roles.def"
#undef ROLE
};

const char *
role_name(enum role_id id)
{
    return (unsigned)id < ROLE__COUNT ? roles[id].name : "unknown";
}

int
role_parse(const char *name, enum role_id *out)
{
    for (int i = 0; i < ROLE__COUNT; i++) {
        if (!strcmp(name, roles[i].name)) {
            *out = (enum role_id)i;
            return 0;
        }
    }
    return GG_EINVAL;
}

/* A hash to verify against when the user does not exist, so that the
 * answer takes as long as for a wrong password. */
static char dummy_hash[GG_PWHASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
dummy_init(void)
{
    char password[GG_TOKEN_CHARS + 1];
    gg_token_new(password);
    if (gg_password_hash(password, &gg_pwhash_interactive, dummy_hash))
        dummy_hash[0] = '\0';
}

/* The scope is the set of granted nodes, without nodes already covered by
 * an ancestor in the set. */
static void
who_build_scope(struct account_who *who, struct gg_arena *a)
{
    const char **prefixes = gg_arena_alloc(a, (who->n_roles + 1) *
                                                  sizeof(*prefixes));
    size_t n = 0;

    for (size_t i = 0; i < who->n_roles; i++) {
        const char *code = who->roles[i].node_code;
        int covered = 0;
        for (size_t k = 0; k < who->n_roles && !covered; k++) {
            const char *other = who->roles[k].node_code;
            size_t olen = strlen(other);
            covered = k != i && !strncmp(code, other, olen) &&
                      (strlen(code) > olen || k < i);
        }
        if (!covered)
            prefixes[n++] = code;
    }
    who->scope.prefixes = prefixes;
    who->scope.n = n;
}

static int
who_load(struct store *s, const struct store_account *acct,
         const struct store_session *sess, struct gg_arena *a,
         struct account_who **out, struct gg_err *err)
{
    struct account_who *who = gg_arena_alloc(a, sizeof(*who));
    int rc;

    who->account_id = acct->id;
    who->username = acct->username;
    who->display_name = acct->display_name;
    who->csrf_token = sess->csrf_token;
    who->token_hash = sess->token_hash;
    rc = store_account_roles(s, acct->id, a, &who->roles, &who->n_roles, err);
    if (rc)
        return rc;
    who_build_scope(who, a);
    *out = who;
    return 0;
}

int
account_login(struct store *s, const struct account_policy *pol,
              const char *username, const char *password, int64_t now,
              struct gg_arena *a, char token[GG_TOKEN_CHARS + 1],
              struct account_who **who, struct gg_err *err)
{
    struct store_account *acct = NULL;
    struct store_session sess;
    char hash[GG_TOKEN_HASH_HEX + 1], csrf[GG_TOKEN_CHARS + 1];
    int rc;

    *who = NULL;
    rc = store_account_by_username(s, username, a, &acct, err);
    if (rc == GG_ENOTFOUND) {
        pthread_once(&dummy_once, dummy_init);
        if (dummy_hash[0] && gg_password_verify(dummy_hash, password) == 0)
            abort(); /* cannot happen: a random password */
        return gg_fail(err, GG_EUNAUTH, "password", MSG_BAD_CREDENTIALS);
    }
    if (rc)
        return rc;
    if (gg_password_verify(acct->password_hash, password))
        return gg_fail(err, GG_EUNAUTH, "password", MSG_BAD_CREDENTIALS);
    if (acct->disabled)
        return gg_fail(err, GG_EFORBIDDEN, "username", MSG_ACCOUNT_DISABLED);

    gg_token_new(token);
    gg_token_new(csrf);
    gg_token_hash(token, hash);
    sess.token_hash = hash;
    sess.account_id = acct->id;
    sess.csrf_token = csrf;
    sess.created_at = now;
    sess.last_seen_at = now;
    sess.expires_at = now + pol->session_max_s;
    rc = store_session_insert(s, &sess, err);
    if (rc)
        return rc;
    sess.token_hash = gg_arena_strdup(a, hash);
    sess.csrf_token = gg_arena_strdup(a, csrf);
    gg_log(GG_LOG_INFO, "account.login", "account=%" PRId64, acct->id);
    return who_load(s, acct, &sess, a, who, err);
}

/* How stale last_seen_at may be before we write it again: writing it on
 * every request would cost a durable commit per read. */
#define SESSION_TOUCH_EVERY_S 60

int
account_authenticate(struct store *s, const struct account_policy *pol,
                     const char *token, int64_t now, struct gg_arena *a,
                     struct account_who **who, struct gg_err *err)
{
    struct store_session *sess = NULL;
    struct store_account *acct = NULL;
    char hash[GG_TOKEN_HASH_HEX + 1];
    int rc;

    *who = NULL;
    if (!token || strlen(token) != GG_TOKEN_CHARS)
        return gg_fail(err, GG_EUNAUTH, "", MSG_UNAUTHENTICATED);
    gg_token_hash(token, hash);
    rc = store_session_get(s, hash, now, a, &sess, err);
    if (rc == GG_ENOTFOUND)
        return gg_fail(err, GG_EUNAUTH, "", MSG_UNAUTHENTICATED);
    if (rc)
        return rc;
    if (now - sess->last_seen_at > pol->session_idle_s ||
        now - sess->created_at > pol->session_max_s) {
        if (store_session_delete(s, hash, NULL))
            gg_log(GG_LOG_WARN, "account.session", "op=expire failed=1");
        return gg_fail(err, GG_EUNAUTH, "", MSG_UNAUTHENTICATED);
    }
    rc = store_account_by_id(s, sess->account_id, a, &acct, err);
    if (rc == GG_ENOTFOUND || (!rc && acct->disabled))
        return gg_fail(err, GG_EUNAUTH, "", MSG_UNAUTHENTICATED);
    if (rc)
        return rc;
    if (now - sess->last_seen_at >= SESSION_TOUCH_EVERY_S &&
        store_session_touch(s, hash, now, NULL))
        gg_log(GG_LOG_WARN, "account.session", "op=touch failed=1");
    return who_load(s, acct, sess, a, who, err);
}

int
account_logout(struct store *s, const struct account_who *who,
               struct gg_err *err)
{
    gg_log(GG_LOG_INFO, "account.logout", "account=%" PRId64,
           who->account_id);
    return store_session_delete(s, who->token_hash, err);
}

int
account_create(struct store *s, const char *username, const char *display_name,
               const char *password_hash, int64_t person_id,
               const char *const (*grants)[2], size_t n_grants, int64_t now,
               int64_t *id, struct gg_err *err)
{
    struct store_account acct = {0};
    int rc;

    acct.username = username;
    acct.display_name = display_name;
    acct.password_hash = password_hash;
    acct.person_id = person_id;
    rc = store_account_insert(s, &acct, now, id, err);
    for (size_t i = 0; !rc && i < n_grants; i++) {
        enum role_id role;
        enum store_node_level level;

        if (role_parse(grants[i][0], &role))
            return gg_failf(err, GG_EINVAL, "role", MSG_CONFIG_VALUE, "%s",
                            grants[i][0]);
        if (node_code_level(grants[i][1], &level) ||
            level > roles[role].lowest)
            return gg_failf(err, GG_EINVAL, "node_code", MSG_NODE_CODE_INVALID,
                            "%s", grants[i][1]);
        rc = store_role_grant(s, *id, grants[i][0], grants[i][1], now, err);
    }
    return rc;
}
