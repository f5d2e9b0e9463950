#include "core/gg.h"
#include "core/gg_log.h"
#include "domain/apikey.h"
#include "domain/audit.h"
#include "domain/node.h"

#include <strings.h>

static const char *const scope_names[APIKEY_SCOPE__COUNT] = {
    [APIKEY_SCOPE_NONE] = "",
    [APIKEY_SCOPE_REGISTRY_READ] = "registry.read",
    [APIKEY_SCOPE_DEVICES_INGEST] = "devices.ingest",
    [APIKEY_SCOPE_OPEN311] = "open311",
};

/* What a key with a scope may do, as a capability (0: machine-only). */
static const unsigned scope_caps[APIKEY_SCOPE__COUNT] = {
    [APIKEY_SCOPE_REGISTRY_READ] = 1u << CAP_REGISTRY_READ,
};

const char *
apikey_scope_name(enum apikey_scope s)
{
    return (unsigned)s < APIKEY_SCOPE__COUNT ? scope_names[s] : "";
}

int
apikey_scope_parse(const char *name, enum apikey_scope *out)
{
    for (int i = 1; i < APIKEY_SCOPE__COUNT; i++) {
        if (!strcmp(name, scope_names[i])) {
            *out = (enum apikey_scope)i;
            return 0;
        }
    }
    return GG_EINVAL;
}

static int
in_tx(const struct account_ctx *ctx, const struct store_apikey *k,
      int64_t revoke_id, const struct store_scope *scope,
      const struct audit_event *ev, int64_t *id, struct gg_err *err)
{
    int rc = store_begin(ctx->s, err);

    if (rc)
        return rc;
    rc = k ? store_apikey_insert(ctx->s, k, id, err)
           : store_apikey_revoke(ctx->s, scope, revoke_id, ctx->now, err);
    if (!rc) {
        struct audit_event e = *ev;
        e.target = gg_arena_printf(ctx->a, "apikey:%" PRId64,
                                   k ? *id : revoke_id);
        rc = audit_append(ctx->s, ctx->keys, &e, ctx->now * 1000, err);
    }
    if (!rc)
        rc = store_commit(ctx->s, err);
    if (rc && store_rollback(ctx->s, NULL))
        gg_log(GG_LOG_ERROR, "apikey.tx", "op=rollback failed=1");
    return rc;
}

int
apikey_create(const struct account_ctx *ctx, const struct account_who *admin,
              const char *name, const char *const *scopes,
              const char *node_code, int64_t expires_at, int64_t *id,
              char key[APIKEY_CHARS + 1], struct gg_err *err)
{
    struct store_apikey k = {0};
    struct store_scope scope;
    struct store_node *node;
    struct audit_event ev = {0};
    char token[GG_TOKEN_CHARS + 1], hash[GG_TOKEN_HASH_HEX + 1];
    size_t len = 0;
    char *joined;
    int rc;

    for (const char *const *s = scopes; *s; s++) {
        enum apikey_scope sc;
        if (apikey_scope_parse(*s, &sc))
            return gg_failf(err, GG_EINVAL, "scopes", MSG_APIKEY_SCOPE,
                            "%.40s", *s);
        len += strlen(*s) + 1;
    }
    if (!len)
        return gg_fail(err, GG_EINVAL, "scopes", MSG_FIELD_REQUIRED);
    if (expires_at <= ctx->now)
        return gg_fail(err, GG_EINVAL, "expires_at", MSG_DATE_PAST);
    rc = node_code_check(node_code, NULL, "node_code", err);
    if (rc)
        return rc;
    account_scope_for(admin, CAP_ACCOUNTS_MANAGE, ctx->a, &scope);
    if (store_node_get(ctx->s, &scope, node_code, ctx->a, &node, NULL))
        return gg_failf(err, GG_EINVAL, "node_code", MSG_NODE_NOT_FOUND, "%s",
                        node_code);
    joined = gg_arena_alloc(ctx->a, len + 1);
    for (const char *const *s = scopes; *s; s++) {
        if (*joined)
            memcpy(joined + strlen(joined), " ", 2);
        memcpy(joined + strlen(joined), *s, strlen(*s) + 1);
    }
    gg_token_new(token);
    snprintf(key, APIKEY_CHARS + 1, "gg_%s", token);
    gg_token_hash(key, hash);
    k.name = name;
    k.prefix = gg_arena_strndup(ctx->a, key, 11);
    k.key_hash = hash;
    k.scopes = joined;
    k.node_code = node_code;
    k.expires_at = expires_at;
    k.created_at = ctx->now;
    k.created_by = admin->account_id;
    ev.actor_id = admin->account_id;
    ev.actor = admin->username;
    ev.action = "apikey.create";
    ev.detail = gg_arena_printf(ctx->a, "scopes=%s node=%s", joined,
                                node_code);
    ev.ip = ctx->ip;
    return in_tx(ctx, &k, 0, NULL, &ev, id, err);
}

int
apikey_revoke(const struct account_ctx *ctx, const struct account_who *admin,
              int64_t id, struct gg_err *err)
{
    struct store_scope scope;
    struct audit_event ev = {0};

    account_scope_for(admin, CAP_ACCOUNTS_MANAGE, ctx->a, &scope);
    ev.actor_id = admin->account_id;
    ev.actor = admin->username;
    ev.action = "apikey.revoke";
    ev.ip = ctx->ip;
    return in_tx(ctx, NULL, id, &scope, &ev, NULL, err);
}

static int
has_scope(const char *scopes, const char *want)
{
    size_t n = strlen(want);
    for (const char *p = scopes; (p = strstr(p, want)); p += n)
        if ((p == scopes || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
            return 1;
    return 0;
}

int
apikey_authenticate(const struct account_ctx *ctx, const char *header,
                    enum apikey_scope need, struct account_who **out,
                    struct gg_err *err)
{
    struct store_apikey *k;
    struct account_who *who;
    const char **prefixes;
    char hash[GG_TOKEN_HASH_HEX + 1];
    const char *key;
    int rc;

    *out = NULL;
    if (strncasecmp(header, "Bearer ", 7))
        return gg_fail(err, GG_EUNAUTH, "Authorization", MSG_APIKEY_INVALID);
    key = header + 7;
    if (strlen(key) != APIKEY_CHARS || strncmp(key, "gg_", 3))
        return gg_fail(err, GG_EUNAUTH, "Authorization", MSG_APIKEY_INVALID);
    gg_token_hash(key, hash);
    rc = store_apikey_by_hash(ctx->s, hash, ctx->now, ctx->a, &k, err);
    if (rc == GG_ENOTFOUND)
        return gg_fail(err, GG_EUNAUTH, "Authorization", MSG_APIKEY_INVALID);
    if (rc)
        return rc;
    if (!has_scope(k->scopes, apikey_scope_name(need)))
        return gg_fail(err, GG_EFORBIDDEN, "Authorization", MSG_FORBIDDEN);
    if (ctx->now - k->last_used_at >= 60 &&
        store_apikey_touch(ctx->s, k->id, ctx->now, NULL))
        gg_log(GG_LOG_WARN, "apikey", "op=touch failed=1");
    who = gg_arena_alloc(ctx->a, sizeof(*who));
    prefixes = gg_arena_alloc(ctx->a, sizeof(*prefixes));
    prefixes[0] = k->node_code;
    who->account_id = k->id;
    who->username = gg_arena_printf(ctx->a, "apikey:%" PRId64, k->id);
    who->display_name = k->name;
    who->csrf_token = "";
    who->token_hash = "";
    who->caps = scope_caps[need];
    who->scope.prefixes = prefixes;
    who->scope.n = 1;
    *out = who;
    return 0;
}
