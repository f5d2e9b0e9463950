/*
 * api_app.c - the route table, per-thread contexts and the front line that
 * authenticates and authorises every request before its handler.
 */
#include "core/gg.h"
#include "core/gg_log.h"
#include "core/gg_time.h"
#include "api/api.h"

static const struct http_route routes[] = {
#define ROUTE(method, path, handler, perm, body)                              \
    {HTTP_##method, path, handler, API_PERM_##perm, HTTP_BODY_##body,         \
     #handler},
#include "api/routes.def"
#undef ROUTE
};

static void *
thread_open(void *ctx)
{
    const struct api_app *app = ctx;
    struct api_thread *t = gg_xcalloc(1, sizeof(*t));
    struct store_options opt = {(int)app->cfg->busy_timeout_ms};
    struct gg_err err;

    t->app = app;
    if (store_open(&t->store, app->cfg->db, 0, &opt, &err)) {
        gg_log(GG_LOG_ERROR, "api.thread", "op=store_open code=%s",
               gg_code_name(err.code));
        free(t);
        return NULL;
    }
    return t;
}

static void
thread_close(void *ctx)
{
    struct api_thread *t = ctx;
    store_close(&t->store);
    free(t);
}

static int
is_write(enum http_method m)
{
    return m != HTTP_GET && m != HTTP_HEAD && m != HTTP_OPTIONS;
}

static int
front_line(struct http_req *req, struct gg_err *err)
{
    const struct api_app *app = api_thread(req)->app;
    struct account_who *who = NULL;
    const char *csrf;
    int rc;

    switch ((enum api_perm)req->route->perm) {
    case API_PERM_PUBLIC:
        return 0;
    case API_PERM_LOCAL:
        if (app->cfg->metrics_local_only && !http_peer_is_local(req))
            return gg_fail(err, GG_EFORBIDDEN, "", MSG_FORBIDDEN_ORIGIN);
        return 0;
    case API_PERM_SESSION:
        rc = account_authenticate(api_store(req), &app->policy,
                                  http_cookie(req, API_SESSION_COOKIE),
                                  gg_now_s(), req->arena, &who, err);
        if (rc)
            return rc;
        req->app = who;
        req->account_id = who->account_id;
        if (!is_write(req->method))
            return 0;
        csrf = http_header(req, "X-CSRF-Token");
        if (!csrf || !gg_str_equal_ct(csrf, who->csrf_token))
            return gg_fail(err, GG_EFORBIDDEN, "X-CSRF-Token", MSG_CSRF);
        return 0;
    }
    return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
}

void
api_app_init(struct api_app *app, const struct gg_config *cfg,
             const struct gg_keys *keys)
{
    memset(app, 0, sizeof(*app));
    app->cfg = cfg;
    app->keys = keys;
    app->policy.session_idle_s = cfg->session_idle_s;
    app->policy.session_max_s = cfg->session_max_s;
    app->started_at = gg_now_s();
    app->http.routes = routes;
    app->http.n_routes = GG_ARRAY_LEN(routes);
    app->http.ctx = app;
    app->http.thread_open = thread_open;
    app->http.thread_close = thread_close;
    app->http.front_line = front_line;
}
