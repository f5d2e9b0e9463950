#include "core/gg.h"
#include "core/gg_log.h"
#include "domain/hierarchy.h"
#include "domain/node.h"

#include <jansson.h>

static const char *
snapshot(const struct account_ctx *ctx, const struct store_node *n)
{
    json_t *j = json_pack("{s:s,s:s?,s:s,s:I}", "code", n->code,
                          "parent_code", n->parent_code, "name", n->name,
                          "chief_person_id", (json_int_t)n->chief_person_id);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    const char *out = text ? gg_arena_strdup(ctx->a, text) : "{}";
    free(text);
    json_decref(j);
    return out;
}

/* Writes the change and commits, or rolls back. */
static int
record(const struct account_ctx *ctx, const struct account_who *who,
       const char *code, const char *action, const char *before,
       const char *after, int rc, struct gg_err *err)
{
    struct store_change c = {0};

    if (!rc) {
        c.kind = "node";
        c.record_id = strtoll(code, NULL, 10);
        c.node_code = code;
        c.at = ctx->now;
        c.actor_id = who->account_id;
        c.action = action;
        c.before = before;
        c.after = after;
        rc = store_history_add(ctx->s, &c, err);
    }
    if (!rc)
        rc = store_commit(ctx->s, err);
    if (rc && store_rollback(ctx->s, NULL))
        gg_log(GG_LOG_ERROR, "hierarchy", "op=rollback failed=1");
    return rc;
}

static int
visible(const struct account_ctx *ctx, const struct account_who *who,
        const char *code, const char *field, struct store_node **out,
        struct gg_err *err)
{
    int rc = node_code_check(code, NULL, field, err);
    if (!rc)
        rc = store_node_get(ctx->s, &who->scope, code, ctx->a, out, err);
    return rc;
}

static int
name_check(const char *name, struct gg_err *err)
{
    if (!name || !*name)
        return gg_fail(err, GG_EINVAL, "name", MSG_FIELD_REQUIRED);
    return 0;
}

int
hierarchy_create(const struct account_ctx *ctx, const struct account_who *who,
                 const char *code, const char *parent, const char *name,
                 struct store_node **out, struct gg_err *err)
{
    struct store_node *p, n = {0};
    int taken, rc;

    rc = name_check(name, err);
    if (!rc)
        rc = node_code_check(code, parent, "code", err);
    if (rc)
        return rc;
    if (visible(ctx, who, parent, "parent_code", &p, NULL))
        return gg_failf(err, GG_EINVAL, "parent_code", MSG_NODE_NOT_FOUND,
                        "%s", parent);
    rc = store_begin(ctx->s, err);
    if (rc)
        return rc;
    rc = store_node_code_taken(ctx->s, code, &taken, err);
    if (!rc && taken)
        rc = gg_failf(err, GG_ECONFLICT, "code", MSG_NODE_TAKEN, "%s", code);
    n.code = code;
    n.parent_code = parent;
    n.name = name;
    if (!rc && node_code_level(code, &n.level))
        rc = GG_EINTERNAL;
    if (!rc)
        rc = store_node_insert(ctx->s, &n, ctx->now, err);
    rc = record(ctx, who, code, "create", "{}", snapshot(ctx, &n), rc, err);
    if (rc)
        return rc;
    return store_node_get(ctx->s, &who->scope, code, ctx->a, out, err);
}

int
hierarchy_update(const struct account_ctx *ctx, const struct account_who *who,
                 const char *code, int64_t version, const char *name,
                 int64_t chief, struct store_node **out, struct gg_err *err)
{
    struct store_node *before, after;
    struct store_person_row *person;
    int rc = visible(ctx, who, code, "code", &before, err);

    if (rc)
        return rc;
    if (name && !*name)
        return gg_fail(err, GG_EINVAL, "name", MSG_FIELD_REQUIRED);
    if (chief > 0 &&
        store_person_get(ctx->s, &who->scope, chief, ctx->a, &person, NULL))
        return gg_failf(err, GG_EINVAL, "chief_person_id",
                        MSG_PERSON_NOT_FOUND, "%" PRId64, chief);
    after = *before;
    if (name)
        after.name = name;
    if (chief >= 0)
        after.chief_person_id = chief;
    rc = store_begin(ctx->s, err);
    if (rc)
        return rc;
    rc = store_node_update(ctx->s, code, version, name, chief, ctx->now, err);
    rc = record(ctx, who, code, name ? "rename" : "chief",
                snapshot(ctx, before), snapshot(ctx, &after), rc, err);
    if (rc)
        return rc;
    return store_node_get(ctx->s, &who->scope, code, ctx->a, out, err);
}

/* 1 if one of who's own grants is at this node or under it. */
static int
holds_grant(const struct account_who *who, const char *code)
{
    for (size_t i = 0; i < who->n_roles; i++)
        if (!strncmp(who->roles[i].node_code, code, strlen(code)))
            return 1;
    return 0;
}

int
hierarchy_move(const struct account_ctx *ctx, const struct account_who *who,
               const char *code, int64_t version, const char *new_parent,
               const char *new_code, struct store_node **out,
               struct gg_err *err)
{
    struct store_node *before, *parent, after;
    int taken, rc = visible(ctx, who, code, "code", &before, err);

    if (rc)
        return rc;
    if (holds_grant(who, code))
        return gg_fail(err, GG_EFORBIDDEN, "code", MSG_NODE_OWN_GRANT);
    if (visible(ctx, who, new_parent, "parent_code", &parent, NULL))
        return gg_failf(err, GG_EINVAL, "parent_code", MSG_NODE_NOT_FOUND,
                        "%s", new_parent);
    rc = node_code_check(new_code, new_parent, "new_code", err);
    if (rc)
        return rc;
    if (strlen(new_code) != strlen(code) ||
        !strncmp(new_parent, code, strlen(code)))
        return gg_fail(err, GG_EINVAL, "new_code", MSG_NODE_MOVE_LEVEL);
    if (before->version != version)
        return gg_fail(err, GG_ECONFLICT, "version", MSG_CONFLICT);
    rc = store_begin(ctx->s, err);
    if (rc)
        return rc;
    rc = store_node_code_taken(ctx->s, new_code, &taken, err);
    if (!rc && taken)
        rc = gg_failf(err, GG_ECONFLICT, "new_code", MSG_NODE_TAKEN, "%s",
                      new_code);
    if (!rc)
        rc = store_node_move(ctx->s, code, new_code, new_parent, ctx->now,
                             err);
    after = *before;
    after.code = new_code;
    after.parent_code = new_parent;
    /* The node's history moved with it (record_history follows the code);
     * the move itself is its newest entry. */
    rc = record(ctx, who, new_code, "move", snapshot(ctx, before),
                snapshot(ctx, &after), rc, err);
    if (rc)
        return rc;
    account_security_changed(); /* role grants under it moved too */
    return store_node_get(ctx->s, &who->scope, new_code, ctx->a, out, err);
}

int
hierarchy_retire(const struct account_ctx *ctx, const struct account_who *who,
                 const char *code, int64_t version, struct gg_err *err)
{
    struct store_node *before;
    int64_t nodes, rows;
    int rc = visible(ctx, who, code, "code", &before, err);

    if (rc)
        return rc;
    if (holds_grant(who, code))
        return gg_fail(err, GG_EFORBIDDEN, "code", MSG_NODE_OWN_GRANT);
    rc = store_begin(ctx->s, err);
    if (rc)
        return rc;
    rc = store_node_holds(ctx->s, code, &nodes, &rows, err);
    if (!rc && (nodes || rows))
        rc = gg_failf(err, GG_EBADSTATE, "code", MSG_NODE_NOT_EMPTY,
                      "%" PRId64 " / %" PRId64, nodes, rows);
    if (!rc)
        rc = store_node_retire(ctx->s, code, version, ctx->now, err);
    return record(ctx, who, code, "retire", snapshot(ctx, before), "{}", rc,
                  err);
}
