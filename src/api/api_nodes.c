/* api_nodes.c - the hierarchy of nodes, within the caller's scope. */
#include "core/gg.h"
#include "api/api.h"
#include "domain/node.h"

json_t *
api_node_json(const struct store_node *n)
{
    return json_pack("{s:s,s:s?,s:s,s:s,s:I}", "code", n->code, "parent_code",
                     n->parent_code, "name", n->name, "level",
                     store_node_level_name(n->level), "child_count",
                     (json_int_t)n->child_count);
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
