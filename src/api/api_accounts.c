/* api_accounts.c - account administration by the security administrator
 * (安全管理员), within the nodes its role reaches. */
#include "core/gg.h"
#include "core/gg_json.h"
#include "api/api.h"

#define ACCOUNTS_PAGE 50

static json_t *
account_json(struct http_req *req, const struct store_account *a)
{
    struct store_role *roles = NULL;
    json_t *r = json_array();
    size_t n = 0;

    if (!store_account_roles(api_store(req), a->id, req->arena, &roles, &n,
                             NULL))
        for (size_t i = 0; i < n; i++)
            json_array_append_new(
                r, json_pack("{s:s,s:s,s:s}", "role", roles[i].role,
                             "node_code", roles[i].node_code, "node_name",
                             roles[i].node_name));
    return json_pack("{s:I,s:s,s:s,s:s?,s:o,s:b,s:o,s:b,s:b,s:o,s:o,s:I}",
                     "id", (json_int_t)a->id, "username", a->username,
                     "display_name", a->display_name, "home_node",
                     a->home_node, "person_id",
                     a->person_id ? json_integer(a->person_id) : json_null(),
                     "disabled", a->disabled, "locked_until",
                     api_time_json(a->locked_until), "must_change_password",
                     a->must_change_password, "totp_enabled",
                     a->totp_secret.len > 0, "roles", r, "created_at",
                     api_time_json(a->created_at), "version",
                     (json_int_t)a->version);
}

/* The account again, as the answer to a change. */
static int
answer_account(struct http_req *req, struct http_resp *resp, int64_t id,
               int status, struct gg_err *err)
{
    struct store_account *a;
    int rc = store_account_get_scoped(api_store(req), &api_who(req)->scope,
                                      id, req->arena, &a, err);
    if (rc)
        return rc;
    http_resp_json(resp, status, account_json(req, a));
    return 0;
}

/* GET /accounts?q=&after=: 200 {"items","next"}; 400 bad query. */
int
api_accounts_list(struct http_req *req, struct http_resp *resp,
                  struct gg_err *err)
{
    struct store_account *list;
    const char *q;
    int64_t after;
    json_t *items;
    size_t n;
    int rc;

    rc = http_query_str(req, "q", 64, &q, err);
    if (!rc)
        rc = api_query_int(req, "after", INT64_MAX, &after, err);
    if (!rc)
        rc = store_account_list(api_store(req), &api_who(req)->scope, q, after,
                                ACCOUNTS_PAGE, req->arena, &list, &n, err);
    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, account_json(req, &list[i]));
    http_resp_json(resp, 200,
                   json_pack("{s:o,s:o}", "items", items, "next",
                             n == ACCOUNTS_PAGE
                                 ? json_integer(list[n - 1].id)
                                 : json_null()));
    return 0;
}

/* 201 {"account","initial_password"}; 400 field; 409 username taken. */
int
api_accounts_create(struct http_req *req, struct http_resp *resp,
                    struct gg_err *err)
{
    static const char *const keys[] = {"username", "display_name",
                                       "home_node", "roles", "person_id",
                                       NULL};
    const char *username, *display_name, *home;
    struct account_grant *grants;
    struct account_ctx ctx;
    char password[17];
    size_t n;
    int64_t id, person_id = 0;
    int rc;

    rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = api_json_int(req->json, "person_id", 1, INT64_MAX, 0, &person_id,
                          err);
    if (!rc)
        rc = gg_json_get_str(req->json, "username", 64, GG_JSON_REQUIRED,
                             &username, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "display_name", 50, GG_JSON_REQUIRED,
                             &display_name, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "home_node", 18, GG_JSON_REQUIRED,
                             &home, err);
    if (!rc)
        rc = api_json_grants(req, req->json, "roles", &grants, &n, err);
    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = account_admin_create(&ctx, api_who(req), username, display_name, home,
                              person_id, grants, n, &id, password, err);
    if (!rc)
        rc = answer_account(req, resp, id, 201, err);
    if (rc)
        return rc;
    resp->json = json_pack("{s:o,s:s}", "account", resp->json,
                           "initial_password", password);
    return 0;
}

/* 200 the account; 404 missing or outside my scope. */
int
api_accounts_get(struct http_req *req, struct http_resp *resp,
                 struct gg_err *err)
{
    int64_t id;
    int rc = api_param_id(req, "id", &id, err);
    if (rc)
        return rc;
    return answer_account(req, resp, id, 200, err);
}

/* {version, display_name?, disabled?}: 200 the account; 409 stale. */
int
api_accounts_update(struct http_req *req, struct http_resp *resp,
                    struct gg_err *err)
{
    static const char *const keys[] = {"version", "display_name", "disabled",
                                       NULL};
    struct account_ctx ctx;
    const char *name;
    int64_t id, version = 0;
    int disabled, rc;

    rc = api_param_id(req, "id", &id, err);
    if (!rc)
        rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = api_json_int(req->json, "version", 1, INT64_MAX, 1, &version,
                          err);
    if (!rc)
        rc = gg_json_get_str(req->json, "display_name", 50, GG_JSON_OPTIONAL,
                             &name, err);
    if (!rc)
        rc = api_json_bool(req->json, "disabled", &disabled, err);
    if (rc)
        return rc;
    if (name && !*name)
        return gg_fail(err, GG_EINVAL, "display_name", MSG_FIELD_REQUIRED);
    api_ctx(req, &ctx);
    if (id == api_who(req)->account_id && disabled == 1)
        return gg_fail(err, GG_EFORBIDDEN, "disabled", MSG_FORBIDDEN);
    rc = account_admin_update(&ctx, api_who(req), id, version, name, disabled,
                              err);
    if (rc)
        return rc;
    return answer_account(req, resp, id, 200, err);
}

/* {version, roles}: 200 the account; 400 roles; 409 stale. */
int
api_accounts_roles(struct http_req *req, struct http_resp *resp,
                   struct gg_err *err)
{
    static const char *const keys[] = {"version", "roles", NULL};
    struct account_grant *grants;
    struct account_ctx ctx;
    int64_t id, version = 0;
    size_t n;
    int rc;

    rc = api_param_id(req, "id", &id, err);
    if (!rc)
        rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = api_json_int(req->json, "version", 1, INT64_MAX, 1, &version,
                          err);
    if (!rc)
        rc = api_json_grants(req, req->json, "roles", &grants, &n, err);
    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = account_admin_roles(&ctx, api_who(req), id, version, grants, n, err);
    if (rc)
        return rc;
    return answer_account(req, resp, id, 200, err);
}

/* 200 {"initial_password"}: shown once. */
int
api_accounts_reset(struct http_req *req, struct http_resp *resp,
                   struct gg_err *err)
{
    struct account_ctx ctx;
    char password[17];
    int64_t id;
    int rc = api_param_id(req, "id", &id, err);

    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = account_admin_reset(&ctx, api_who(req), id, password, err);
    if (rc)
        return rc;
    http_resp_json(resp, 200,
                   json_pack("{s:s}", "initial_password", password));
    return 0;
}

/* 204 unlocked. */
int
api_accounts_unlock(struct http_req *req, struct http_resp *resp,
                    struct gg_err *err)
{
    return api_id_action(req, resp, account_admin_unlock, err);
}

/* 204: every session of the account ended. */
int
api_accounts_end_sessions(struct http_req *req, struct http_resp *resp,
                          struct gg_err *err)
{
    return api_id_action(req, resp, account_admin_end_sessions, err);
}
