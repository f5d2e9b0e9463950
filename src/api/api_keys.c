/* api_keys.c - API keys for machine clients (security administrator). */
#include "core/gg.h"
#include "core/gg_json.h"
#include "core/gg_time.h"
#include "api/api.h"
#include "domain/apikey.h"

static json_t *
key_json(const struct store_apikey *k)
{
    json_t *scopes = json_array();
    const char *p = k->scopes;

    while (*p) {
        size_t len = strcspn(p, " ");
        json_array_append_new(scopes, json_stringn(p, len));
        p += len;
        while (*p == ' ')
            p++;
    }
    return json_pack("{s:I,s:s,s:s,s:o,s:s,s:o,s:o,s:o,s:b}", "id",
                     (json_int_t)k->id, "name", k->name, "prefix", k->prefix,
                     "scopes", scopes, "node_code", k->node_code,
                     "expires_at", api_time_json(k->expires_at), "created_at",
                     api_time_json(k->created_at), "last_used_at",
                     api_time_json(k->last_used_at), "revoked",
                     k->revoked_at != 0);
}

/* 200 {"items":[api key]}: keys of nodes in my scope (never the keys). */
int
api_keys_list(struct http_req *req, struct http_resp *resp,
              struct gg_err *err)
{
    struct store_apikey *list;
    json_t *items;
    size_t n;
    int rc = store_apikey_list(api_store(req), &api_who(req)->scope,
                               req->arena, &list, &n, err);

    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, key_json(&list[i]));
    http_resp_json(resp, 200, json_pack("{s:o}", "items", items));
    return 0;
}

#define KEY_MAX_SCOPES 8

/* 201 {"key","api_key"}: the key is shown this once; 400 field. */
int
api_keys_create(struct http_req *req, struct http_resp *resp,
                struct gg_err *err)
{
    static const char *const keys[] = {"name", "scopes", "node_code",
                                       "expires_at", NULL};
    const char *name, *node, *expires, *scopes[KEY_MAX_SCOPES + 1] = {0};
    json_t *arr = json_object_get(req->json, "scopes"), *v;
    char key[APIKEY_CHARS + 1];
    struct account_ctx ctx;
    struct store_apikey *list;
    int64_t id, until;
    size_t i, n;
    int rc;

    rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "name", 100, GG_JSON_REQUIRED, &name,
                             err);
    if (!rc)
        rc = gg_json_get_str(req->json, "node_code", 18, GG_JSON_REQUIRED,
                             &node, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "expires_at", 30, GG_JSON_REQUIRED,
                             &expires, err);
    if (rc)
        return rc;
    if (api_parse_time(expires, &until))
        return gg_fail(err, GG_EINVAL, "expires_at", MSG_DATE_INVALID);
    if (!json_is_array(arr) || json_array_size(arr) > KEY_MAX_SCOPES)
        return gg_failf(err, GG_EINVAL, "scopes", MSG_FIELD_ARRAY, "%d",
                        KEY_MAX_SCOPES);
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v))
            return gg_fail(err, GG_EINVAL, "scopes", MSG_FIELD_STRING);
        scopes[i] = json_string_value(v);
    }
    api_ctx(req, &ctx);
    rc = apikey_create(&ctx, api_who(req), name, scopes, node, until, &id, key,
                       err);
    if (!rc)
        rc = store_apikey_list(ctx.s, &api_who(req)->scope, req->arena, &list,
                               &n, err);
    if (rc)
        return rc;
    for (i = 0; i < n && list[i].id != id; i++)
        ;
    http_resp_json(resp, 201,
                   json_pack("{s:s,s:o}", "key", key, "api_key",
                             i < n ? key_json(&list[i]) : json_null()));
    return 0;
}

/* 204 revoked; 404 missing, already revoked, or outside my scope. */
int
api_keys_revoke(struct http_req *req, struct http_resp *resp,
                struct gg_err *err)
{
    return api_id_action(req, resp, apikey_revoke, err);
}
