/* api_session.c - POST/DELETE /api/v1/session and GET /api/v1/me. */
#include "core/gg.h"
#include "core/gg_json.h"
#include "core/gg_time.h"
#include "api/api.h"

json_t *
api_me_json(const struct account_who *who)
{
    json_t *roles = json_array();

    for (size_t i = 0; i < who->n_roles; i++) {
        const struct store_role *r = &who->roles[i];
        json_array_append_new(
            roles, json_pack("{s:s,s:s,s:s,s:s}", "role", r->role,
                             "node_code", r->node_code, "node_name",
                             r->node_name, "node_level",
                             store_node_level_name(r->node_level)));
    }
    return json_pack("{s:s,s:s,s:s,s:o}", "username", who->username,
                     "display_name", who->display_name, "csrf_token",
                     who->csrf_token, "roles", roles);
}

static const char *
session_cookie(struct http_req *req, const char *token, int64_t max_age)
{
    return gg_arena_printf(req->arena,
                           API_SESSION_COOKIE "=%s; Path=/; Max-Age=%" PRId64
                                              "; HttpOnly; SameSite=Strict",
                           token, max_age);
}

/* 200 {"csrf_token","me"} and the session cookie; 400 for a malformed body;
 * 401 for a wrong username or password; 403 for a disabled account. */
int
api_session_create(struct http_req *req, struct http_resp *resp,
                   struct gg_err *err)
{
    static const char *const keys[] = {"username", "password", NULL};
    const struct api_app *app = api_thread(req)->app;
    struct account_who *who;
    const char *username, *password;
    char token[GG_TOKEN_CHARS + 1];
    int rc;

    rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "username", 64, GG_JSON_REQUIRED,
                             &username, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "password", 256, GG_JSON_REQUIRED,
                             &password, err);
    if (rc)
        return rc;
    rc = account_login(api_store(req), &app->policy, username, password,
                       gg_now_s(), req->arena, token, &who, err);
    if (rc)
        return rc;
    req->account_id = who->account_id;
    http_resp_header(resp, "Set-Cookie",
                     session_cookie(req, token, app->policy.session_max_s));
    http_resp_json(resp, 200,
                   json_pack("{s:s,s:o}", "csrf_token", who->csrf_token, "me",
                             api_me_json(who)));
    return 0;
}

/* 204 and an expired cookie; 401 without a session; 403 without CSRF. */
int
api_session_delete(struct http_req *req, struct http_resp *resp,
                   struct gg_err *err)
{
    int rc = account_logout(api_store(req), api_who(req), err);
    if (rc)
        return rc;
    http_resp_header(resp, "Set-Cookie", session_cookie(req, "", 0));
    resp->status = 204;
    return 0;
}

/* 200 who I am and where my roles are; 401 without a session. */
int
api_me_get(struct http_req *req, struct http_resp *resp, struct gg_err *err)
{
    (void)err;
    http_resp_json(resp, 200, api_me_json(api_who(req)));
    return 0;
}
