/* api_session.c - logging in and out, and my own account (/me...). */
#include "core/gg.h"
#include "core/gg_json.h"
#include "api/api.h"

json_t *
api_me_json(const struct account_who *who)
{
    json_t *roles = json_array(), *caps = json_array();

    for (size_t i = 0; i < who->n_roles; i++) {
        const struct store_role *r = &who->roles[i];
        json_array_append_new(
            roles, json_pack("{s:s,s:s,s:s,s:s}", "role", r->role,
                             "node_code", r->node_code, "node_name",
                             r->node_name, "node_level",
                             store_node_level_name(r->node_level)));
    }
    for (int c = 0; c < CAP__COUNT; c++)
        if (who->caps & (1u << c))
            json_array_append_new(caps,
                                  json_string(capability_name(
                                      (enum capability)c)));
    return json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:b,s:b,s:b,s:o}", "id",
                     (json_int_t)who->account_id, "username",
                     who->username, "display_name", who->display_name,
                     "csrf_token", who->csrf_token, "roles", roles,
                     "capabilities", caps, "must_change_password",
                     who->must_change_password, "totp_enabled",
                     who->totp_enabled, "totp_required", who->totp_required,
                     "password_expires_at",
                     api_time_json(who->password_expires_at));
}

static const char *
session_cookie(struct http_req *req, const char *token, int64_t max_age)
{
    return gg_arena_printf(req->arena,
                           API_SESSION_COOKIE "=%s; Path=/; Max-Age=%" PRId64
                                              "; HttpOnly; SameSite=Strict",
                           token, max_age);
}

/* 200 {"csrf_token","me"} and the session cookie; 400 malformed; 401
 * wrong username or password (field password) or second-factor code needed
 * or wrong (totp_required, field totp_code); 403 disabled or locked; 429
 * too many attempts from this address, with Retry-After. */
int
api_session_create(struct http_req *req, struct http_resp *resp,
                   struct gg_err *err)
{
    static const char *const keys[] = {"username", "password", "totp_code",
                                       NULL};
    struct account_ctx ctx;
    struct account_who *who;
    const char *username, *password, *code;
    char token[GG_TOKEN_CHARS + 1];
    int64_t retry = 0;
    int rc;

    rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "username", 64, GG_JSON_REQUIRED,
                             &username, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "password", 256, GG_JSON_REQUIRED,
                             &password, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "totp_code", 10, GG_JSON_OPTIONAL,
                             &code, err);
    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = account_login(&ctx, username, password, code, token, &retry, &who,
                       err);
    if (rc == GG_ERATE)
        http_resp_header(resp, "Retry-After",
                         gg_arena_printf(req->arena, "%" PRId64, retry));
    if (rc)
        return rc;
    req->account_id = who->account_id;
    http_resp_header(resp, "Set-Cookie",
                     session_cookie(req, token, ctx.pol->session_max_s));
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
    struct account_ctx ctx;
    int rc;

    api_ctx(req, &ctx);
    rc = account_logout(&ctx, api_who(req), err);
    if (rc)
        return rc;
    http_resp_header(resp, "Set-Cookie", session_cookie(req, "", 0));
    resp->status = 204;
    return 0;
}

/* 200 who I am, my roles, capabilities and pending steps; 401. */
int
api_me_get(struct http_req *req, struct http_resp *resp, struct gg_err *err)
{
    (void)err;
    http_resp_json(resp, 200, api_me_json(api_who(req)));
    return 0;
}

/* 204; 400 old_password wrong or new_password against the rule. */
int
api_me_password(struct http_req *req, struct http_resp *resp,
                struct gg_err *err)
{
    static const char *const keys[] = {"old_password", "new_password", NULL};
    struct account_ctx ctx;
    const char *old, *new_password;
    int rc;

    rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "old_password", 256, GG_JSON_REQUIRED,
                             &old, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "new_password", 256, GG_JSON_REQUIRED,
                             &new_password, err);
    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = account_change_password(&ctx, api_who(req), old, new_password, err);
    if (rc)
        return rc;
    resp->status = 204;
    return 0;
}

/* 200 {"secret","otpauth_uri"}: enrolment started. */
int
api_me_totp_begin(struct http_req *req, struct http_resp *resp,
                  struct gg_err *err)
{
    struct account_ctx ctx;
    const char *secret, *uri;
    int rc;

    api_ctx(req, &ctx);
    rc = account_totp_begin(&ctx, api_who(req), &secret, &uri, err);
    if (rc)
        return rc;
    http_resp_json(resp, 200, json_pack("{s:s,s:s}", "secret", secret,
                                        "otpauth_uri", uri));
    return 0;
}

/* 204 enabled; 400 field code wrong; 409 no enrolment started. */
int
api_me_totp_confirm(struct http_req *req, struct http_resp *resp,
                    struct gg_err *err)
{
    static const char *const keys[] = {"code", NULL};
    struct account_ctx ctx;
    const char *code;
    int rc;

    rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "code", 10, GG_JSON_REQUIRED, &code,
                             err);
    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = account_totp_confirm(&ctx, api_who(req), code, err);
    if (rc)
        return rc;
    resp->status = 204;
    return 0;
}

/* 204; 400 wrong password; 403 for administrators, who must keep it. */
int
api_me_totp_disable(struct http_req *req, struct http_resp *resp,
                    struct gg_err *err)
{
    static const char *const keys[] = {"password", NULL};
    struct account_ctx ctx;
    const char *password;
    int rc;

    rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "password", 256, GG_JSON_REQUIRED,
                             &password, err);
    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = account_totp_disable(&ctx, api_who(req), password, err);
    if (rc)
        return rc;
    resp->status = 204;
    return 0;
}

/* 200 {"items":[session]}: my live sessions, the current one marked. */
int
api_me_sessions(struct http_req *req, struct http_resp *resp,
                struct gg_err *err)
{
    const struct account_who *who = api_who(req);
    struct account_ctx ctx;
    struct store_session *list;
    json_t *items;
    size_t n;
    int rc;

    api_ctx(req, &ctx);
    rc = store_session_list(ctx.s, who->account_id, ctx.now, req->arena,
                            &list, &n, err);
    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct store_session *s = &list[i];
        json_array_append_new(
            items,
            json_pack("{s:s%,s:o,s:o,s:o,s:s?,s:s?,s:b}", "id", s->token_hash,
                      (size_t)16, "created_at", api_time_json(s->created_at),
                      "last_seen_at", api_time_json(s->last_seen_at),
                      "expires_at", api_time_json(s->expires_at),
                      "user_agent", s->user_agent, "ip", s->ip, "current",
                      !strcmp(s->token_hash, who->token_hash)));
    }
    http_resp_json(resp, 200, json_pack("{s:o}", "items", items));
    return 0;
}

/* 204 ended; 404 not one of mine. */
int
api_me_session_end(struct http_req *req, struct http_resp *resp,
                   struct gg_err *err)
{
    struct account_ctx ctx;
    int rc;

    api_ctx(req, &ctx);
    rc = account_session_end(&ctx, api_who(req), http_param(req, "id"), err);
    if (rc)
        return rc;
    resp->status = 204;
    return 0;
}
