#include "core/gg.h"
#include "core/gg_log.h"
#include "core/gg_parse.h"
#include "core/gg_time.h"
#include "domain/account.h"
#include "domain/audit.h"
#include "domain/node.h"
#include "domain/totp.h"

#include <pthread.h>
#include <stdatomic.h>

#define CAP(c) (1u << CAP_##c)

static const struct {
    const char *name;
    enum store_node_level lowest;
    enum role_kind kind;
    unsigned caps;
} role_table[ROLE__COUNT] = {
#define ROLE(id, level, kind, caps) [ROLE_##id] = {#id, level, ROLE_KIND_##kind, caps},
#include "domain/roles.def"
#undef ROLE
};

static const char *const capability_names[CAP__COUNT] = {
#define CAPABILITY(id, name) [CAP_##id] = name,
#include "domain/capabilities.def"
#undef CAPABILITY
};

#define TOTP_AD "account.totp"

/* Bumped by every security change made through this process. */
static _Atomic uint64_t security_generation = 1;

static void
generation_bump(void)
{
    atomic_fetch_add_explicit(&security_generation, 1, memory_order_release);
}

void
account_security_changed(void)
{
    generation_bump();
}

static uint64_t
generation_now(void)
{
    return atomic_load_explicit(&security_generation, memory_order_acquire);
}

#define CACHE_SLOTS 64

struct cache_slot {
    char token_hash[GG_TOKEN_HASH_HEX + 1];
    uint64_t generation;
    int64_t filled_at;
    struct gg_arena *arena; /* owns the records below */
    struct store_session *sess;
    struct store_account *acct;
    struct store_role *roles;
    size_t n_roles;
};

struct account_cache {
    struct cache_slot slot[CACHE_SLOTS];
};

struct account_cache *
account_cache_new(void)
{
    return gg_xcalloc(1, sizeof(struct account_cache));
}

void
account_cache_free(struct account_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < CACHE_SLOTS; i++)
        gg_arena_free(c->slot[i].arena);
    free(c);
}

static struct cache_slot *
cache_slot_for(struct account_cache *c, const char *hash)
{
    unsigned h = 0;
    for (int i = 0; i < 8; i++)
        h = h * 16 + (unsigned)(hash[i] <= '9' ? hash[i] - '0'
                                              : hash[i] - 'a' + 10);
    return &c->slot[h % CACHE_SLOTS];
}
#define SESSION_ID_CHARS 16

const char *
role_name(enum role_id id)
{
    return (unsigned)id < ROLE__COUNT ? role_table[id].name : "unknown";
}

int
role_parse(const char *name, enum role_id *out)
{
    for (int i = 0; i < ROLE__COUNT; i++) {
        if (!strcmp(name, role_table[i].name)) {
            *out = (enum role_id)i;
            return 0;
        }
    }
    return GG_EINVAL;
}

const char *
capability_name(enum capability c)
{
    return (unsigned)c < CAP__COUNT ? capability_names[c] : "unknown";
}

int
account_username_check(const char *username, struct gg_err *err)
{
    size_t n = strlen(username);
    if (n < 2 || n > 64 ||
        strspn(username, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789_.-") != n)
        return gg_fail(err, GG_EINVAL, "username", MSG_USERNAME_INVALID);
    return 0;
}

int
account_grants_check(const struct account_grant *g, size_t n,
                     const char *field, struct gg_err *err)
{
    int admins = 0;

    for (size_t i = 0; i < n; i++) {
        enum role_id r;
        enum store_node_level level;
        if (role_parse(g[i].role, &r))
            return gg_failf(err, GG_EINVAL, field, MSG_ROLE_UNKNOWN, "%.40s",
                            g[i].role);
        if (node_code_level(g[i].node_code, &level) ||
            level > role_table[r].lowest)
            return gg_failf(err, GG_EINVAL, field, MSG_ROLE_LEVEL, "%s@%.20s",
                            g[i].role, g[i].node_code);
        admins += role_table[r].kind == ROLE_KIND_ADMIN;
    }
    if (admins && (admins > 1 || n > 1)) {
        /* The same duty at several nodes is still one duty. */
        for (size_t i = 1; i < n; i++)
            if (strcmp(g[i].role, g[0].role))
                return gg_fail(err, GG_EINVAL, field,
                               MSG_ROLES_ADMIN_COMBINED);
    }
    return 0;
}

/* The prefixes of the roles matching `caps_wanted` (0: all roles), without
 * nodes already covered by an ancestor in the set. */
static void
scope_build(const struct store_role *r, size_t n, unsigned caps_wanted,
            struct gg_arena *a, struct store_scope *out)
{
    const char **prefixes = gg_arena_alloc(a, (n + 1) * sizeof(*prefixes));
    size_t count = 0;

    for (size_t i = 0; i < n; i++) {
        enum role_id id;
        int covered = 0;
        if (role_parse(r[i].role, &id) ||
            (caps_wanted && !(role_table[id].caps & caps_wanted)))
            continue;
        for (size_t k = 0; k < count && !covered; k++)
            covered = !strncmp(r[i].node_code, prefixes[k],
                               strlen(prefixes[k]));
        if (covered)
            continue;
        /* Drop earlier prefixes that this one covers. */
        for (size_t k = 0; k < count;) {
            if (!strncmp(prefixes[k], r[i].node_code,
                         strlen(r[i].node_code)))
                prefixes[k] = prefixes[--count];
            else
                k++;
        }
        prefixes[count++] = r[i].node_code;
    }
    out->prefixes = prefixes;
    out->n = count;
}

unsigned
role_caps(const char *role)
{
    enum role_id id;
    return role_parse(role, &id) ? 0 : role_table[id].caps;
}

void
account_scope_for(const struct account_who *who, enum capability c,
                  struct gg_arena *a, struct store_scope *out)
{
    scope_build(who->roles, who->n_roles, 1u << c, a, out);
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

/* Who, from an account, its session and its roles (all borrowed). */
static struct account_who *
who_build(const struct account_ctx *ctx, struct store_account *acct,
          const struct store_session *sess, struct store_role *roles,
          size_t n_roles)
{
    struct account_who *who = gg_arena_alloc(ctx->a, sizeof(*who));

    who->account_id = acct->id;
    who->username = acct->username;
    who->display_name = acct->display_name;
    who->csrf_token = sess ? sess->csrf_token : "";
    who->token_hash = sess ? sess->token_hash : "";
    who->acct = acct;
    who->roles = roles;
    who->n_roles = n_roles;
    for (size_t i = 0; i < who->n_roles; i++) {
        enum role_id id;
        if (role_parse(who->roles[i].role, &id))
            continue;
        who->caps |= role_table[id].caps;
        who->is_staff |= role_table[id].kind == ROLE_KIND_STAFF;
        who->is_admin |= role_table[id].kind == ROLE_KIND_ADMIN;
    }
    scope_build(who->roles, who->n_roles, 0, ctx->a, &who->scope);
    who->totp_enabled = acct->totp_secret.len > 0;
    who->totp_required = who->is_admin;
    who->must_change_password = acct->must_change_password;
    if ((who->is_staff || who->is_admin) &&
        ctx->pol->password.max_age_days > 0) {
        who->password_expires_at =
            acct->password_changed_at +
            (int64_t)ctx->pol->password.max_age_days * 86400;
        if (who->password_expires_at <= ctx->now)
            who->must_change_password = 1;
    }
    return who;
}

static int
who_load(const struct account_ctx *ctx, struct store_account *acct,
         const struct store_session *sess, struct account_who **out,
         struct gg_err *err)
{
    struct store_role *roles;
    size_t n;
    int rc = store_account_roles(ctx->s, acct->id, ctx->a, &roles, &n, err);

    if (rc)
        return rc;
    *out = who_build(ctx, acct, sess, roles, n);
    return 0;
}

/* Runs fn inside a write transaction together with its audit record. */
static int
in_tx(const struct account_ctx *ctx, int (*fn)(const struct account_ctx *,
                                               void *, struct gg_err *),
      void *arg, const struct audit_event *ev, struct gg_err *err)
{
    int rc = store_begin(ctx->s, err);

    if (rc)
        return rc;
    rc = fn ? fn(ctx, arg, err) : 0;
    if (!rc && ev)
        rc = audit_append(ctx->s, ctx->keys, ev, ctx->now * 1000, err);
    if (!rc)
        rc = store_commit(ctx->s, err);
    if (rc && store_rollback(ctx->s, NULL))
        gg_log(GG_LOG_ERROR, "account.tx", "op=rollback failed=1");
    if (!rc)
        generation_bump();
    return rc;
}

static struct audit_event
event(const struct account_ctx *ctx, int64_t actor_id, const char *actor,
      const char *action, const char *target, const char *detail)
{
    struct audit_event ev;
    ev.actor_id = actor_id;
    ev.actor = actor ? actor : "-";
    ev.action = action;
    ev.target = target ? target : "";
    ev.detail = detail ? detail : "";
    ev.ip = ctx->ip ? ctx->ip : "";
    return ev;
}

static const char *
account_target(const struct account_ctx *ctx, int64_t id)
{
    return gg_arena_printf(ctx->a, "account:%" PRId64, id);
}

/* ---- logging in ---- */

struct failure {
    int64_t id;
    int64_t locked_until;
};

static int
do_fail(const struct account_ctx *ctx, void *arg, struct gg_err *err)
{
    struct failure *f = arg;
    return store_account_login_failed(ctx->s, f->id, ctx->now,
                                      ctx->pol->login_max_failures,
                                      ctx->pol->login_lock_s,
                                      &f->locked_until, err);
}

static int
login_failed(const struct account_ctx *ctx, const struct store_account *acct,
             const char *why, struct gg_err *err)
{
    struct failure f = {acct->id, 0};
    struct audit_event ev = event(ctx, acct->id, acct->username, "login.fail",
                                  account_target(ctx, acct->id), why);
    struct gg_err ignored;
    int rc = in_tx(ctx, do_fail, &f, &ev, &ignored);

    if (rc)
        return rc == GG_EBUSY ? gg_fail(err, rc, "", MSG_BUSY)
                              : gg_fail(err, rc, "", MSG_AUDIT_FAILED);
    if (f.locked_until > ctx->now) {
        struct audit_event lk = event(ctx, acct->id, acct->username,
                                      "login.locked",
                                      account_target(ctx, acct->id), "");
        if (audit_record(ctx->s, ctx->keys, &lk, ctx->now * 1000, &ignored))
            gg_log(GG_LOG_ERROR, "account.login", "op=audit_locked failed=1");
    }
    return 0;
}

static void
iso_time(int64_t s, char out[GG_ISO_LEN])
{
    gg_time_iso(s * 1000, out);
    out[19] = '\0'; /* seconds are enough for people */
}

struct session_new {
    const struct store_account *acct;
    struct store_session sess;
    int64_t totp_step;
};

static int
do_login(const struct account_ctx *ctx, void *arg, struct gg_err *err)
{
    struct session_new *n = arg;
    int rc = store_account_login_ok(ctx->s, n->acct->id, err);
    if (!rc && n->totp_step)
        rc = store_account_totp_step(ctx->s, n->acct->id, n->totp_step, err);
    if (!rc)
        rc = store_session_insert(ctx->s, &n->sess, err);
    return rc;
}

static int
is_admin_account(const struct account_ctx *ctx, int64_t id, int *admin,
                 struct gg_err *err)
{
    struct store_role *r;
    size_t n;
    int rc = store_account_roles(ctx->s, id, ctx->a, &r, &n, err);

    *admin = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        enum role_id rid;
        if (!role_parse(r[i].role, &rid))
            *admin |= role_table[rid].kind == ROLE_KIND_ADMIN;
    }
    return rc;
}

int
account_login(const struct account_ctx *ctx, const char *username,
              const char *password, const char *totp_code,
              char token[GG_TOKEN_CHARS + 1], int64_t *retry_after,
              struct account_who **who, struct gg_err *err)
{
    struct store_account *acct = NULL;
    struct session_new n = {0};
    char hash[GG_TOKEN_HASH_HEX + 1], csrf[GG_TOKEN_CHARS + 1];
    char when[GG_ISO_LEN];
    int64_t attempts = 0;
    int rc, admin;

    *who = NULL;
    *retry_after = 0;
    rc = store_login_attempt(ctx->s, ctx->ip ? ctx->ip : "-", ctx->now,
                             ctx->pol->login_rate_window_s, &attempts, err);
    if (rc)
        return rc;
    if (attempts > ctx->pol->login_rate_max) {
        *retry_after = ctx->pol->login_rate_window_s;
        return gg_failf(err, GG_ERATE, "", MSG_RATE_LIMITED, "%" PRId64,
                        *retry_after);
    }
    rc = store_account_by_username(ctx->s, username, ctx->a, &acct, err);
    if (rc == GG_ENOTFOUND) {
        struct audit_event ev = event(ctx, 0, "-", "login.fail", "",
                                      "unknown_user");
        pthread_once(&dummy_once, dummy_init);
        if (dummy_hash[0] && gg_password_verify(dummy_hash, password) == 0)
            abort(); /* cannot happen: a random password */
        /* The attempted name is not recorded: people type phone numbers. */
        if (audit_record(ctx->s, ctx->keys, &ev, ctx->now * 1000, err))
            return err->code;
        return gg_fail(err, GG_EUNAUTH, "password", MSG_BAD_CREDENTIALS);
    }
    if (rc)
        return rc;
    if (acct->locked_until > ctx->now) {
        iso_time(acct->locked_until, when);
        return gg_failf(err, GG_ELOCKED, "username", MSG_LOCKED, "%s", when);
    }
    if (gg_password_verify(acct->password_hash, password)) {
        rc = login_failed(ctx, acct, "password", err);
        if (rc)
            return rc;
        return gg_fail(err, GG_EUNAUTH, "password", MSG_BAD_CREDENTIALS);
    }
    if (acct->disabled)
        return gg_fail(err, GG_EFORBIDDEN, "username", MSG_ACCOUNT_DISABLED);
    if (acct->totp_secret.len) {
        char secret[64];
        if (!totp_code || !*totp_code)
            return gg_fail(err, GG_ETOTP, "totp_code", MSG_TOTP_REQUIRED);
        if (acct->totp_secret.len > sizeof(secret) + GG_SEAL_OVERHEAD - 1 ||
            gg_unseal(ctx->keys, TOTP_AD, acct->totp_secret.data,
                      acct->totp_secret.len, secret))
            return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
        n.totp_step = totp_match((const unsigned char *)secret,
                                 acct->totp_secret.len - GG_SEAL_OVERHEAD,
                                 totp_code, ctx->now, acct->totp_last_step);
        gg_wipe(secret, sizeof(secret));
        if (n.totp_step < 0) {
            n.totp_step = 0;
            rc = login_failed(ctx, acct, "totp", err);
            if (rc)
                return rc;
            return gg_fail(err, GG_ETOTP, "totp_code", MSG_TOTP_WRONG);
        }
    }
    rc = is_admin_account(ctx, acct->id, &admin, err);
    if (rc)
        return rc;

    gg_token_new(token);
    gg_token_new(csrf);
    gg_token_hash(token, hash);
    n.acct = acct;
    n.sess.token_hash = gg_arena_strdup(ctx->a, hash);
    n.sess.account_id = acct->id;
    n.sess.csrf_token = gg_arena_strdup(ctx->a, csrf);
    n.sess.created_at = ctx->now;
    n.sess.last_seen_at = ctx->now;
    n.sess.expires_at = ctx->now + ctx->pol->session_max_s;
    n.sess.idle_s = admin ? ctx->pol->admin_idle_s : ctx->pol->session_idle_s;
    n.sess.user_agent = ctx->user_agent;
    n.sess.ip = ctx->ip;
    {
        struct audit_event ev = event(ctx, acct->id, acct->username,
                                      "login.ok",
                                      account_target(ctx, acct->id),
                                      acct->totp_secret.len ? "totp" : "");
        rc = in_tx(ctx, do_login, &n, &ev, err);
    }
    if (rc)
        return rc;
    return who_load(ctx, acct, &n.sess, who, err);
}

/* How stale last_seen_at may be before we write it again: writing it on
 * every request would cost a durable commit per read. */
#define SESSION_TOUCH_EVERY_S 60

/* Copies what authentication read into a cache slot's own arena. */
static void
cache_fill(struct account_cache *c, const char *hash, uint64_t generation,
           int64_t now, const struct store_session *sess,
           const struct store_account *acct, const struct store_role *roles,
           size_t n)
{
    struct cache_slot *slot = cache_slot_for(c, hash);
    struct gg_arena *a;

    if (!slot->arena)
        slot->arena = gg_arena_new(2048);
    gg_arena_reset(slot->arena);
    a = slot->arena;
    snprintf(slot->token_hash, sizeof(slot->token_hash), "%s", hash);
    slot->generation = generation;
    slot->filled_at = now;
    slot->sess = gg_arena_alloc(a, sizeof(*slot->sess));
    *slot->sess = *sess;
    slot->sess->token_hash = slot->token_hash;
    slot->sess->csrf_token = gg_arena_strdup(a, sess->csrf_token);
    slot->sess->user_agent = NULL;
    slot->sess->ip = NULL;
    slot->acct = gg_arena_alloc(a, sizeof(*slot->acct));
    *slot->acct = *acct;
    slot->acct->username = gg_arena_strdup(a, acct->username);
    slot->acct->display_name = gg_arena_strdup(a, acct->display_name);
    slot->acct->password_hash = gg_arena_strdup(a, acct->password_hash);
    slot->acct->home_node =
        acct->home_node ? gg_arena_strdup(a, acct->home_node) : NULL;
    slot->acct->totp_secret.data = NULL; /* only its presence is needed */
    slot->acct->totp_pending.data = NULL;
    slot->acct->totp_pending.len = 0;
    slot->roles = gg_arena_alloc(a, (n + 1) * sizeof(*roles));
    for (size_t i = 0; i < n; i++) {
        slot->roles[i] = roles[i];
        slot->roles[i].role = gg_arena_strdup(a, roles[i].role);
        slot->roles[i].node_code = gg_arena_strdup(a, roles[i].node_code);
        slot->roles[i].node_name = gg_arena_strdup(a, roles[i].node_name);
    }
    slot->n_roles = n;
}

/* How stale last_seen_at may be before we write it again: writing it on
 * every request would cost a durable commit per read. */
#define SESSION_TOUCH_EVERY_S 60

int
account_authenticate(const struct account_ctx *ctx, const char *token,
                     struct account_who **who, struct gg_err *err)
{
    struct store_session *sess = NULL;
    struct store_account *acct = NULL;
    struct cache_slot *slot = NULL;
    char hash[GG_TOKEN_HASH_HEX + 1];
    uint64_t generation = generation_now();
    int rc;

    *who = NULL;
    if (!token || strlen(token) != GG_TOKEN_CHARS)
        return gg_fail(err, GG_EUNAUTH, "", MSG_UNAUTHENTICATED);
    gg_token_hash(token, hash);
    if (ctx->cache) {
        slot = cache_slot_for(ctx->cache, hash);
        if (slot->generation == generation && !strcmp(slot->token_hash, hash) &&
            ctx->now - slot->filled_at < ACCOUNT_CACHE_TTL_S &&
            ctx->now >= slot->filled_at)
            sess = slot->sess;
    }
    if (!sess) {
        rc = store_session_get(ctx->s, hash, ctx->now, ctx->a, &sess, err);
        if (rc == GG_ENOTFOUND)
            return gg_fail(err, GG_EUNAUTH, "", MSG_UNAUTHENTICATED);
        if (rc)
            return rc;
        slot = NULL;
    }
    if (ctx->now - sess->last_seen_at > sess->idle_s ||
        ctx->now - sess->created_at > ctx->pol->session_max_s ||
        ctx->now >= sess->expires_at) {
        if (store_session_delete(ctx->s, hash, NULL))
            gg_log(GG_LOG_WARN, "account.session", "op=expire failed=1");
        generation_bump();
        return gg_fail(err, GG_EUNAUTH, "", MSG_UNAUTHENTICATED);
    }
    if (ctx->now - sess->last_seen_at >= SESSION_TOUCH_EVERY_S) {
        if (store_session_touch(ctx->s, hash, ctx->now, NULL))
            gg_log(GG_LOG_WARN, "account.session", "op=touch failed=1");
        else
            sess->last_seen_at = ctx->now; /* the cached copy too */
    }
    if (slot) {
        *who = who_build(ctx, slot->acct, slot->sess, slot->roles,
                         slot->n_roles);
        return 0;
    }
    rc = store_account_by_id(ctx->s, sess->account_id, ctx->a, &acct, err);
    if (rc == GG_ENOTFOUND || (!rc && acct->disabled))
        return gg_fail(err, GG_EUNAUTH, "", MSG_UNAUTHENTICATED);
    if (rc)
        return rc;
    rc = who_load(ctx, acct, sess, who, err);
    if (!rc && ctx->cache)
        cache_fill(ctx->cache, hash, generation, ctx->now, sess, acct,
                   (*who)->roles, (*who)->n_roles);
    return rc;
}

static int
do_logout(const struct account_ctx *ctx, void *arg, struct gg_err *err)
{
    const struct account_who *who = arg;
    return store_session_delete(ctx->s, who->token_hash, err);
}

int
account_logout(const struct account_ctx *ctx, const struct account_who *who,
               struct gg_err *err)
{
    struct audit_event ev = event(ctx, who->account_id, who->username,
                                  "logout",
                                  account_target(ctx, who->account_id), "");
    return in_tx(ctx, do_logout, (void *)who, &ev, err);
}

/* ---- self-service ---- */

struct password_set {
    int64_t id;
    const char *hash;
    int must_change;
    const char *keep_session; /* NULL: end every session */
};

static int
do_password(const struct account_ctx *ctx, void *arg, struct gg_err *err)
{
    struct password_set *p = arg;
    int rc = store_account_set_password(ctx->s, p->id, p->hash,
                                        p->must_change, ctx->now, err);
    if (!rc)
        rc = store_session_delete_account(ctx->s, p->id, p->keep_session,
                                          err);
    return rc;
}

int
account_change_password(const struct account_ctx *ctx,
                        const struct account_who *who, const char *old,
                        const char *new_password, struct gg_err *err)
{
    struct password_set p = {who->account_id, NULL, 0, who->token_hash};
    char hash[GG_PWHASH_MAX];
    int rc;

    if (gg_password_verify(who->acct->password_hash, old))
        return gg_fail(err, GG_EINVAL, "old_password", MSG_PASSWORD_WRONG);
    if (!strcmp(old, new_password))
        return gg_fail(err, GG_EINVAL, "new_password", MSG_PASSWORD_SAME);
    rc = password_check(new_password, who->username,
                        who->is_staff || who->is_admin, &ctx->pol->password,
                        "new_password", err);
    if (rc)
        return rc;
    if (gg_password_hash(new_password, &gg_pwhash_interactive, hash))
        return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
    p.hash = hash;
    {
        struct audit_event ev = event(
            ctx, who->account_id, who->username, "password.change",
            account_target(ctx, who->account_id), "other_sessions_ended");
        return in_tx(ctx, do_password, &p, &ev, err);
    }
}

int
account_totp_begin(const struct account_ctx *ctx,
                   const struct account_who *who, const char **secret,
                   const char **uri, struct gg_err *err)
{
    unsigned char raw[TOTP_SECRET_BYTES];
    unsigned char sealed[TOTP_SECRET_BYTES + GG_SEAL_OVERHEAD];
    struct store_blob blob = {sealed, sizeof(sealed)};
    char *b32 = gg_arena_alloc(ctx->a, 40);
    int rc;

    gg_random_bytes(raw, sizeof(raw));
    gg_seal(ctx->keys, TOTP_AD, raw, sizeof(raw), sealed);
    gg_base32_encode(raw, sizeof(raw), b32, 40);
    gg_wipe(raw, sizeof(raw));
    rc = store_account_set_totp(ctx->s, who->account_id, 1, &blob, err);
    if (rc)
        return rc;
    *secret = b32;
    *uri = gg_arena_printf(ctx->a,
                           "otpauth://totp/gridgov:%s?secret=%s&issuer="
                           "gridgov&algorithm=SHA1&digits=6&period=30",
                           who->username, b32);
    return 0;
}

struct totp_set {
    int64_t id;
    const struct store_blob *secret;
    int64_t step;
};

static int
do_totp(const struct account_ctx *ctx, void *arg, struct gg_err *err)
{
    struct totp_set *t = arg;
    int rc = store_account_set_totp(ctx->s, t->id, 0, t->secret, err);
    if (!rc && t->step)
        rc = store_account_totp_step(ctx->s, t->id, t->step, err);
    return rc;
}

int
account_totp_confirm(const struct account_ctx *ctx,
                     const struct account_who *who, const char *code,
                     struct gg_err *err)
{
    const struct store_blob *pending = &who->acct->totp_pending;
    struct totp_set t = {who->account_id, pending, 0};
    char secret[64];

    if (!pending->len || pending->len > sizeof(secret) + GG_SEAL_OVERHEAD - 1)
        return gg_fail(err, GG_EBADSTATE, "code", MSG_TOTP_NOT_STARTED);
    if (gg_unseal(ctx->keys, TOTP_AD, pending->data, pending->len, secret))
        return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
    t.step = totp_match((const unsigned char *)secret,
                        pending->len - GG_SEAL_OVERHEAD, code, ctx->now,
                        who->acct->totp_last_step);
    gg_wipe(secret, sizeof(secret));
    if (t.step < 0)
        return gg_fail(err, GG_EINVAL, "code", MSG_TOTP_WRONG);
    {
        struct audit_event ev = event(ctx, who->account_id, who->username,
                                      "totp.enable",
                                      account_target(ctx, who->account_id),
                                      "");
        return in_tx(ctx, do_totp, &t, &ev, err);
    }
}

int
account_totp_disable(const struct account_ctx *ctx,
                     const struct account_who *who, const char *password,
                     struct gg_err *err)
{
    struct totp_set t = {who->account_id, NULL, 0};

    if (who->totp_required)
        return gg_fail(err, GG_EFORBIDDEN, "", MSG_TOTP_MANDATORY);
    if (gg_password_verify(who->acct->password_hash, password))
        return gg_fail(err, GG_EINVAL, "password", MSG_PASSWORD_WRONG);
    {
        struct audit_event ev = event(ctx, who->account_id, who->username,
                                      "totp.disable",
                                      account_target(ctx, who->account_id),
                                      "");
        return in_tx(ctx, do_totp, &t, &ev, err);
    }
}

struct session_end {
    int64_t id;
    const char *prefix; /* NULL: all */
};

static int
do_session_end(const struct account_ctx *ctx, void *arg, struct gg_err *err)
{
    struct session_end *e = arg;
    if (e->prefix)
        return store_session_delete_prefix(ctx->s, e->id, e->prefix, err);
    return store_session_delete_account(ctx->s, e->id, NULL, err);
}

int
account_session_end(const struct account_ctx *ctx,
                    const struct account_who *who, const char *id,
                    struct gg_err *err)
{
    struct session_end e = {who->account_id, id};
    struct audit_event ev = event(ctx, who->account_id, who->username,
                                  "session.revoke",
                                  account_target(ctx, who->account_id), "own");

    if (strlen(id) != SESSION_ID_CHARS ||
        strspn(id, "0123456789abcdef") != SESSION_ID_CHARS)
        return gg_fail(err, GG_ENOTFOUND, "id", MSG_NOT_FOUND);
    return in_tx(ctx, do_session_end, &e, &ev, err);
}

/* ---- administration ---- */

int
account_create(struct store *s, const char *username, const char *display_name,
               const char *password_hash, int64_t person_id,
               const char *home_node, int must_change,
               const struct account_grant *grants, size_t n, int64_t now,
               int64_t *id, struct gg_err *err)
{
    struct store_account acct = {0};
    int rc = account_grants_check(grants, n, "roles", err);

    if (rc)
        return rc;
    acct.username = username;
    acct.display_name = display_name;
    acct.password_hash = password_hash;
    acct.person_id = person_id;
    acct.home_node = home_node;
    acct.must_change_password = must_change;
    rc = store_account_insert(s, &acct, now, id, err);
    if (rc == GG_ECONFLICT)
        return gg_failf(err, GG_ECONFLICT, "username", MSG_DUPLICATE, "%s",
                        username);
    for (size_t i = 0; !rc && i < n; i++)
        rc = store_role_grant(s, *id, grants[i].role, grants[i].node_code, now,
                              err);
    return rc;
}

/* Every node named must exist within the administrator's scope. */
static int
nodes_in_scope(const struct account_ctx *ctx, const struct account_who *admin,
               const char *home_node, const struct account_grant *g, size_t n,
               struct gg_err *err)
{
    struct store_scope scope;
    struct store_node *node;

    account_scope_for(admin, CAP_ACCOUNTS_MANAGE, ctx->a, &scope);
    if (home_node) {
        if (node_code_check(home_node, NULL, "home_node", err))
            return err->code;
        if (store_node_get(ctx->s, &scope, home_node, ctx->a, &node, NULL))
            return gg_failf(err, GG_EINVAL, "home_node", MSG_NODE_NOT_FOUND,
                            "%s", home_node);
    }
    for (size_t i = 0; i < n; i++)
        if (store_node_get(ctx->s, &scope, g[i].node_code, ctx->a, &node,
                           NULL))
            return gg_failf(err, GG_EINVAL, "roles", MSG_NODE_NOT_FOUND,
                            "%.20s", g[i].node_code);
    return 0;
}

/* The account, if it is within the administrator's scope. */
static int
managed(const struct account_ctx *ctx, const struct account_who *admin,
        int64_t id, struct store_account **acct, struct gg_err *err)
{
    struct store_scope scope;
    account_scope_for(admin, CAP_ACCOUNTS_MANAGE, ctx->a, &scope);
    return store_account_get_scoped(ctx->s, &scope, id, ctx->a, acct, err);
}

struct create_args {
    const char *username, *display_name, *home_node, *hash;
    int64_t person_id;
    const struct account_grant *grants;
    size_t n;
    int64_t id;
};

static int
do_create(const struct account_ctx *ctx, void *arg, struct gg_err *err)
{
    struct create_args *c = arg;
    return account_create(ctx->s, c->username, c->display_name, c->hash,
                          c->person_id, c->home_node, 1, c->grants, c->n,
                          ctx->now, &c->id, err);
}

static const char *
grants_text(const struct account_ctx *ctx, const struct account_grant *g,
            size_t n)
{
    char *out = gg_arena_alloc(ctx->a, n * 48 + 1);
    size_t off = 0;
    for (size_t i = 0; i < n; i++)
        off += (size_t)snprintf(out + off, 48, "%s%.24s@%.18s", i ? "," : "",
                                g[i].role, g[i].node_code);
    return out;
}

int
account_admin_create(const struct account_ctx *ctx,
                     const struct account_who *admin, const char *username,
                     const char *display_name, const char *home_node,
                     int64_t person_id,
                     const struct account_grant *grants, size_t n, int64_t *id,
                     char password[17], struct gg_err *err)
{
    struct create_args c = {username, display_name, home_node, NULL,
                            person_id, grants, n, 0};
    char hash[GG_PWHASH_MAX];
    struct audit_event ev;
    int rc;

    rc = account_username_check(username, err);
    if (!rc)
        rc = account_grants_check(grants, n, "roles", err);
    if (!rc)
        rc = nodes_in_scope(ctx, admin, home_node, grants, n, err);
    if (!rc && person_id) {
        struct store_scope scope;
        struct store_person_row *p;
        account_scope_for(admin, CAP_ACCOUNTS_MANAGE, ctx->a, &scope);
        if (store_person_get(ctx->s, &scope, person_id, ctx->a, &p, NULL))
            rc = gg_failf(err, GG_EINVAL, "person_id", MSG_PERSON_NOT_FOUND,
                          "%" PRId64, person_id);
    }
    if (rc)
        return rc;
    password_generate(password);
    if (gg_password_hash(password, &gg_pwhash_interactive, hash))
        return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
    c.hash = hash;
    ev = event(ctx, admin->account_id, admin->username, "account.create",
               "", grants_text(ctx, grants, n));
    /* The target names the new id, known only inside the transaction. */
    rc = store_begin(ctx->s, err);
    if (rc)
        return rc;
    rc = do_create(ctx, &c, err);
    if (!rc) {
        ev.target = account_target(ctx, c.id);
        rc = audit_append(ctx->s, ctx->keys, &ev, ctx->now * 1000, err);
    }
    if (!rc)
        rc = store_commit(ctx->s, err);
    if (rc && store_rollback(ctx->s, NULL))
        gg_log(GG_LOG_ERROR, "account.create", "op=rollback failed=1");
    if (!rc)
        generation_bump();
    if (!rc)
        *id = c.id;
    return rc;
}

struct update_args {
    int64_t id, version;
    const char *display_name;
    int disabled;
};

static int
do_update(const struct account_ctx *ctx, void *arg, struct gg_err *err)
{
    struct update_args *u = arg;
    int rc = store_account_update(ctx->s, u->id, u->version, u->display_name,
                                  u->disabled, ctx->now, err);
    if (!rc && u->disabled == 1)
        rc = store_session_delete_account(ctx->s, u->id, NULL, err);
    return rc;
}

int
account_admin_update(const struct account_ctx *ctx,
                     const struct account_who *admin, int64_t id,
                     int64_t version, const char *display_name, int disabled,
                     struct gg_err *err)
{
    struct update_args u = {id, version, display_name, disabled};
    struct store_account *acct;
    struct audit_event ev;
    int rc = managed(ctx, admin, id, &acct, err);

    if (rc)
        return rc;
    ev = event(ctx, admin->account_id, admin->username, "account.update",
               account_target(ctx, id),
               disabled == 1   ? "disabled"
               : disabled == 0 ? "enabled"
                               : "renamed");
    return in_tx(ctx, do_update, &u, &ev, err);
}

struct roles_args {
    int64_t id, version;
    struct store_grant *g;
    size_t n;
};

static int
do_roles(const struct account_ctx *ctx, void *arg, struct gg_err *err)
{
    struct roles_args *r = arg;
    int rc = store_account_roles_replace(ctx->s, r->id, r->version, r->g,
                                         r->n, ctx->now, err);
    /* New rights take effect at the next login. */
    if (!rc)
        rc = store_session_delete_account(ctx->s, r->id, NULL, err);
    return rc;
}

int
account_admin_roles(const struct account_ctx *ctx,
                    const struct account_who *admin, int64_t id,
                    int64_t version, const struct account_grant *grants,
                    size_t n, struct gg_err *err)
{
    struct roles_args r = {id, version, NULL, n};
    struct store_account *acct;
    struct audit_event ev;
    int rc = managed(ctx, admin, id, &acct, err);

    if (!rc)
        rc = account_grants_check(grants, n, "roles", err);
    if (!rc)
        rc = nodes_in_scope(ctx, admin, NULL, grants, n, err);
    if (rc)
        return rc;
    if (id == admin->account_id)
        return gg_fail(err, GG_EFORBIDDEN, "roles", MSG_FORBIDDEN);
    r.g = gg_arena_alloc(ctx->a, (n + 1) * sizeof(*r.g));
    for (size_t i = 0; i < n; i++) {
        r.g[i].role = grants[i].role;
        r.g[i].node_code = grants[i].node_code;
    }
    ev = event(ctx, admin->account_id, admin->username, "account.roles",
               account_target(ctx, id), grants_text(ctx, grants, n));
    return in_tx(ctx, do_roles, &r, &ev, err);
}

int
account_admin_reset(const struct account_ctx *ctx,
                    const struct account_who *admin, int64_t id,
                    char password[17], struct gg_err *err)
{
    struct password_set p = {id, NULL, 1, NULL};
    struct store_account *acct;
    struct audit_event ev;
    char hash[GG_PWHASH_MAX];
    int rc = managed(ctx, admin, id, &acct, err);

    if (rc)
        return rc;
    password_generate(password);
    if (gg_password_hash(password, &gg_pwhash_interactive, hash))
        return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
    p.hash = hash;
    ev = event(ctx, admin->account_id, admin->username, "password.reset",
               account_target(ctx, id), "");
    return in_tx(ctx, do_password, &p, &ev, err);
}

static int
do_unlock(const struct account_ctx *ctx, void *arg, struct gg_err *err)
{
    return store_account_unlock(ctx->s, *(int64_t *)arg, err);
}

int
account_admin_unlock(const struct account_ctx *ctx,
                     const struct account_who *admin, int64_t id,
                     struct gg_err *err)
{
    struct store_account *acct;
    struct audit_event ev;
    int rc = managed(ctx, admin, id, &acct, err);

    if (rc)
        return rc;
    ev = event(ctx, admin->account_id, admin->username, "account.unlock",
               account_target(ctx, id), "");
    return in_tx(ctx, do_unlock, &id, &ev, err);
}

int
account_admin_end_sessions(const struct account_ctx *ctx,
                           const struct account_who *admin, int64_t id,
                           struct gg_err *err)
{
    struct session_end e = {id, NULL};
    struct store_account *acct;
    struct audit_event ev;
    int rc = managed(ctx, admin, id, &acct, err);

    if (rc)
        return rc;
    ev = event(ctx, admin->account_id, admin->username, "session.revoke",
               account_target(ctx, id), "all");
    return in_tx(ctx, do_session_end, &e, &ev, err);
}
