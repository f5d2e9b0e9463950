/* api_nodes.c - the hierarchy of nodes, within the caller's scope. */
#include "core/gg.h"
#include "api/api.h"
#include "core/gg_json.h"
#include "domain/hierarchy.h"
#include "domain/node.h"

json_t *
api_node_json(const struct store_node *n)
{
    return json_pack("{s:s,s:s?,s:s,s:s,s:I,s:o,s:I}", "code", n->code,
                     "parent_code", n->parent_code, "name", n->name, "level",
                     store_node_level_name(n->level), "child_count",
                     (json_int_t)n->child_count, "chief_person_id",
                     n->chief_person_id ? json_integer(n->chief_person_id)
                                        : json_null(),
                     "version", (json_int_t)n->version);
}

/* GET /api/v1/nodes?parent=CODE: 200 {"items":[node...]}, the children of
 * parent that the caller may see; without parent, the caller's own top
 * nodes. 400 for a malformed code. */
int
api_nodes_list(struct http_req *req, struct http_resp *resp,
               struct gg_err *err)
{
    const struct account_who *who = api_who(req);
    json_t *items = json_array();
    const char *parent;
    int rc;

    rc = http_query_str(req, "parent", NODE_CODE_MAX, &parent, err);
    if (!rc && parent)
        rc = node_code_check(parent, NULL, "parent", err);
    if (rc)
        goto fail;
    if (parent) {
        struct store_node *nodes;
        size_t n;
        rc = store_node_children(api_store(req), &who->scope, parent,
                                 req->arena, &nodes, &n, err);
        if (rc)
            goto fail;
        for (size_t i = 0; i < n; i++)
            json_array_append_new(items, api_node_json(&nodes[i]));
    } else {
        for (size_t i = 0; i < who->scope.n; i++) {
            struct store_node *node;
            rc = store_node_get(api_store(req), &who->scope,
                                who->scope.prefixes[i], req->arena, &node,
                                err);
            if (rc == GG_ENOTFOUND)
                continue; /* retired since the grant */
            if (rc)
                goto fail;
            json_array_append_new(items, api_node_json(node));
        }
    }
    http_resp_json(resp, 200, json_pack("{s:o}", "items", items));
    return 0;
fail:
    json_decref(items);
    return rc;
}

/* GET /api/v1/nodes/{code}: 200 the node; 404 if missing or outside the
 * caller's scope; 400 for a malformed code. */
int
api_nodes_get(struct http_req *req, struct http_resp *resp,
              struct gg_err *err)
{
    const char *code = http_param(req, "code");
    struct store_node *node;
    int rc;

    rc = node_code_check(code, NULL, "code", err);
    if (!rc)
        rc = store_node_get(api_store(req), &api_who(req)->scope, code,
                            req->arena, &node, err);
    if (rc)
        return rc;
    http_resp_json(resp, 200, api_node_json(node));
    return 0;
}

/* {code, parent_code, name}: 201 the new node; 400 a field (a code that
 * does not extend its parent, a parent outside my scope); 409 code taken. */
int
api_nodes_create(struct http_req *req, struct http_resp *resp,
                 struct gg_err *err)
{
    static const char *const keys[] = {"code", "parent_code", "name", NULL};
    const char *code, *parent, *name;
    struct account_ctx ctx;
    struct store_node *node;
    int rc;

    rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "code", NODE_CODE_MAX,
                             GG_JSON_REQUIRED, &code, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "parent_code", NODE_CODE_MAX,
                             GG_JSON_REQUIRED, &parent, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "name", 100, GG_JSON_REQUIRED, &name,
                             err);
    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = hierarchy_create(&ctx, api_who(req), code, parent, name, &node, err);
    if (rc)
        return rc;
    http_resp_json(resp, 201, api_node_json(node));
    return 0;
}

/* {version, name?, chief_person_id?} (0 clears the chief): 200 the node;
 * 404 outside my scope; 409 stale version. */
int
api_nodes_update(struct http_req *req, struct http_resp *resp,
                 struct gg_err *err)
{
    static const char *const keys[] = {"version", "name", "chief_person_id",
                                       NULL};
    const char *name;
    int64_t version = 0, chief = -1;
    struct account_ctx ctx;
    struct store_node *node;
    int rc;

    rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = api_json_int(req->json, "version", 1, INT64_MAX, 1, &version,
                          err);
    if (!rc)
        rc = gg_json_get_str(req->json, "name", 100, GG_JSON_OPTIONAL, &name,
                             err);
    if (!rc)
        rc = api_json_int(req->json, "chief_person_id", 0, INT64_MAX, 0,
                          &chief, err);
    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = hierarchy_update(&ctx, api_who(req), http_param(req, "code"),
                          version, name, chief, &node, err);
    if (rc)
        return rc;
    http_resp_json(resp, 200, api_node_json(node));
    return 0;
}

/* {version, parent_code, new_code}: 200 the node under its new code; 400
 * a field; 403 a node my own role is granted at; 404; 409 stale or taken. */
int
api_nodes_move(struct http_req *req, struct http_resp *resp,
               struct gg_err *err)
{
    static const char *const keys[] = {"version", "parent_code", "new_code",
                                       NULL};
    const char *parent, *new_code;
    int64_t version = 0;
    struct account_ctx ctx;
    struct store_node *node;
    int rc;

    rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = api_json_int(req->json, "version", 1, INT64_MAX, 1, &version,
                          err);
    if (!rc)
        rc = gg_json_get_str(req->json, "parent_code", NODE_CODE_MAX,
                             GG_JSON_REQUIRED, &parent, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "new_code", NODE_CODE_MAX,
                             GG_JSON_REQUIRED, &new_code, err);
    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = hierarchy_move(&ctx, api_who(req), http_param(req, "code"), version,
                        parent, new_code, &node, err);
    if (rc)
        return rc;
    http_resp_json(resp, 200, api_node_json(node));
    return 0;
}

/* {version}: 204 retired; 404; 409 it still holds people or sub-nodes, or
 * a stale version; 403 a node my own role is granted at. */
int
api_nodes_retire(struct http_req *req, struct http_resp *resp,
                 struct gg_err *err)
{
    static const char *const keys[] = {"version", NULL};
    int64_t version = 0;
    struct account_ctx ctx;
    int rc;

    rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = api_json_int(req->json, "version", 1, INT64_MAX, 1, &version,
                          err);
    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = hierarchy_retire(&ctx, api_who(req), http_param(req, "code"), version,
                          err);
    if (!rc)
        resp->status = 204;
    return rc;
}

/* 200 {"items":[change]}: newest first, also for a retired node; 404
 * outside my scope. */
int
api_nodes_history(struct http_req *req, struct http_resp *resp,
                  struct gg_err *err)
{
    const char *code = http_param(req, "code");
    int rc = node_code_check(code, NULL, "code", err);

    if (rc)
        return rc;
    if (!store_scope_covers(&api_who(req)->scope, code))
        return gg_fail(err, GG_ENOTFOUND, "", MSG_NOT_FOUND);
    return api_history(req, resp, "node", strtoll(code, NULL, 10), err);
}
