/*
 * api_app.c - the route table, per-thread contexts, and the front line that
 * authenticates and authorises every request before its handler.
 */
#include "core/gg.h"
#include "core/gg_json.h"
#include "core/gg_log.h"
#include "core/gg_parse.h"
#include "core/gg_time.h"
#include "api/api.h"
#include "api/api_cases.h"
#include "domain/locate.h"
#include "domain/apikey.h"

static const struct http_route routes[] = {
#define ROUTE(method, path, handler, perm, body, key)                         \
    {HTTP_##method, path, handler,                                            \
     (unsigned)API_PERM_##perm | ((unsigned)APIKEY_SCOPE_##key << 8),              \
     HTTP_BODY_##body, #handler},
#include "api/routes.def"
#undef ROUTE
};

static void *
thread_open(void *ctx)
{
    const struct api_app *app = ctx;
    struct api_thread *t = gg_xcalloc(1, sizeof(*t));
    struct store_options opt = {(int)app->cfg->busy_timeout_ms,
                                (int)app->cfg->cache_mb * 1024};
    struct gg_err err;

    t->app = app;
    t->sessions = account_cache_new();
    t->grids = grid_locator_new();
    if (store_open(&t->store, app->cfg->db, 0, &opt, &err)) {
        account_cache_free(t->sessions);
        grid_locator_free(t->grids);
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
    account_cache_free(t->sessions);
    grid_locator_free(t->grids);
    free(t);
}

static int
is_write(enum http_method m)
{
    return m != HTTP_GET && m != HTTP_HEAD && m != HTTP_OPTIONS;
}

void
api_ctx(struct http_req *req, struct account_ctx *ctx)
{
    const struct api_app *app = api_thread(req)->app;
    const char *ua = http_header(req, "User-Agent");

    memset(ctx, 0, sizeof(*ctx));
    ctx->s = api_store(req);
    ctx->keys = app->keys;
    ctx->pol = &app->policy;
    ctx->now = gg_now_s();
    ctx->a = req->arena;
    ctx->ip = http_peer(req);
    /* Only reads may authenticate from the cache: a write sees the account
     * as the database has it now. */
    ctx->cache = is_write(req->method) ? NULL : api_thread(req)->sessions;
    ctx->person_tags = app->cfg->person_tags;
    /* A user agent is shown back in the session list: keep it short and
     * printable. */
    if (ua && gg_utf8_valid(ua, strlen(ua)) && !gg_has_controls(ua, strlen(ua), 0))
        ctx->user_agent = gg_arena_strndup(req->arena, ua,
                                           strlen(ua) > 200 ? 200 : strlen(ua));
    else
        ctx->user_agent = NULL;
}

/* A machine client with "Authorization: Bearer KEY" on a route that takes
 * keys of this scope. */
static int
front_key(struct http_req *req, const char *auth, enum apikey_scope need,
          struct gg_err *err)
{
    struct account_ctx ctx;
    struct account_who *who;
    int rc;

    api_ctx(req, &ctx);
    rc = apikey_authenticate(&ctx, auth, need, &who, err);
    if (rc)
        return rc;
    req->app = who;
    req->account_id = -who->account_id; /* negative: a key, in the log */
    return 0;
}

static int
front_line(struct http_req *req, struct gg_err *err)
{
    const struct api_app *app = api_thread(req)->app;
    unsigned perm = req->route->perm & 0xff;
    enum apikey_scope key = (enum apikey_scope)(req->route->perm >> 8);
    struct account_who *who = NULL;
    struct account_ctx ctx;
    const char *auth, *csrf;
    int rc;

    if (perm == API_PERM_PUBLIC)
        return 0;
    /* A read-only request sees one snapshot and takes the lock once, for
     * its authentication and its handler together; api_after() ends it.
     * (Writers use their own BEGIN IMMEDIATE transactions.) */
    if (!is_write(req->method) &&
        !store_read_begin(api_store(req), NULL))
        api_thread(req)->in_read = 1;
    if (perm == API_PERM_LOCAL) {
        if (app->cfg->metrics_local_only && !http_peer_is_local(req))
            return gg_fail(err, GG_EFORBIDDEN, "", MSG_FORBIDDEN_ORIGIN);
        return 0;
    }
    auth = http_header(req, "Authorization");
    if (auth && key != APIKEY_SCOPE_NONE)
        return front_key(req, auth, key, err);
    api_ctx(req, &ctx);
    rc = account_authenticate(&ctx, http_cookie(req, API_SESSION_COOKIE),
                              &who, err);
    if (rc)
        return rc;
    req->app = who;
    req->account_id = who->account_id;
    if (perm != API_PERM_SELF) {
        if (who->must_change_password)
            return gg_fail(err, GG_ECHANGEPW, "",
                           MSG_PASSWORD_CHANGE_REQUIRED);
        if (who->totp_required && !who->totp_enabled)
            return gg_fail(err, GG_ETOTPSETUP, "", MSG_TOTP_SETUP_REQUIRED);
    }
    if (perm >= API_PERM_CAP_FIRST) {
        enum capability cap = (enum capability)(perm - API_PERM_CAP_FIRST);
        if (!(who->caps & (1u << cap)))
            return gg_fail(err, GG_EFORBIDDEN, "", MSG_FORBIDDEN);
        /* Handlers see only the nodes this capability reaches. */
        account_scope_for(who, cap, req->arena, &who->scope);
    }
    if (!is_write(req->method))
        return 0;
    csrf = http_header(req, "X-CSRF-Token");
    if (!csrf || !gg_str_equal_ct(csrf, who->csrf_token))
        return gg_fail(err, GG_EFORBIDDEN, "X-CSRF-Token", MSG_CSRF);
    return 0;
}

void
api_read_end(struct http_req *req)
{
    struct api_thread *t = api_thread(req);
    if (t && t->in_read) {
        t->in_read = 0;
        if (store_read_end(t->store, NULL))
            gg_log(GG_LOG_WARN, "api.read", "op=end failed=1");
    }
}

static void
api_after(struct http_req *req)
{
    api_read_end(req);
}

/* The server is stopping: end the event streams at once. */
static void
api_stopping(void *ctx)
{
    const struct api_app *app = ctx;
    api_events_end(app->events);
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
    app->policy.admin_idle_s = cfg->session_admin_idle_s;
    app->policy.login_max_failures = (int)cfg->login_max_failures;
    app->policy.login_lock_s = cfg->login_lock_s;
    app->policy.login_rate_max = (int)cfg->login_rate_max;
    app->policy.login_rate_window_s = cfg->login_rate_window_s;
    app->policy.password.min_length = (int)cfg->password_min_length;
    app->policy.password.staff_classes = (int)cfg->password_staff_classes;
    app->policy.password.max_age_days = (int)cfg->password_max_age_days;
    app->started_at = gg_now_s();
    app->http.routes = routes;
    app->http.n_routes = GG_ARRAY_LEN(routes);
    app->http.ctx = app;
    app->http.thread_open = thread_open;
    app->http.thread_close = thread_close;
    app->http.front_line = front_line;
    app->http.after = api_after;
    app->http.stopping = api_stopping;
}

/* ---- shared readers ---- */

json_t *
api_time_json(int64_t unix_s)
{
    char iso[GG_ISO_LEN];
    if (!unix_s)
        return json_null();
    gg_time_iso(unix_s * 1000, iso);
    return json_string(iso);
}

/* A stored snapshot, or null when there is none. */
static json_t *
snapshot_json(const char *text)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    return j ? j : json_null();
}

int
api_history(struct http_req *req, struct http_resp *resp, const char *kind,
            int64_t record_id, struct gg_err *err)
{
    struct store_change *list;
    json_t *items;
    size_t n;
    int rc = store_history_list(api_store(req), kind, record_id, req->arena,
                                &list, &n, err);
    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            items,
            json_pack("{s:I,s:o,s:I,s:s?,s:s,s:o,s:o}", "id",
                      (json_int_t)list[i].id, "at", api_time_json(list[i].at),
                      "actor_id", (json_int_t)list[i].actor_id, "actor",
                      list[i].actor, "action", list[i].action, "before",
                      snapshot_json(list[i].before), "after",
                      snapshot_json(list[i].after)));
    http_resp_json(resp, 200, json_pack("{s:o}", "items", items));
    return 0;
}

int
api_parse_time(const char *s, int64_t *out)
{
    struct tm tm = {0};
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, m = 0, oh = 0, om = 0;
    int64_t offset = 0;
    const char *p;

    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
        return GG_EINVAL;
    p = s + n;
    if (*p == 'T' || *p == ' ') {
        if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &m) != 3 || m != 8)
            return GG_EINVAL;
        p += 1 + m;
        if (*p == '.')
            for (p++; *p >= '0' && *p <= '9'; p++)
                ;
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || m != 5 ||
                oh > 14 || om > 59)
                return GG_EINVAL;
            offset = (oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
            p += 1 + m;
        }
    }
    if (*p || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
        d > 31 || h > 23 || mi > 59 || sec > 60)
        return GG_EINVAL;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = (int64_t)timegm(&tm) - offset;
    return 0;
}

int
api_query_time(const struct http_req *req, const char *name, int64_t *out,
               struct gg_err *err)
{
    const char *v;
    int rc = http_query_str(req, name, 40, &v, err);

    *out = 0;
    if (rc || !v || !*v)
        return rc;
    if (api_parse_time(v, out))
        return gg_fail(err, GG_EINVAL, name, MSG_DATE_INVALID);
    return 0;
}

int
api_id_action(struct http_req *req, struct http_resp *resp,
              api_id_action_fn fn, struct gg_err *err)
{
    struct account_ctx ctx;
    int64_t id;
    int rc = api_param_id(req, "id", &id, err);

    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = fn(&ctx, api_who(req), id, err);
    if (!rc)
        resp->status = 204;
    return rc;
}

int
api_param_id(const struct http_req *req, const char *name, int64_t *out,
             struct gg_err *err)
{
    const char *v = http_param(req, name);
    if (!v || gg_parse_i64(v, 1, INT64_MAX, out))
        return gg_fail(err, GG_ENOTFOUND, name, MSG_NOT_FOUND);
    return 0;
}

int
api_query_int(const struct http_req *req, const char *name, int64_t max,
              int64_t *out, struct gg_err *err)
{
    const char *v;
    int rc = http_query_str(req, name, 20, &v, err);

    *out = 0;
    if (rc || !v || !*v)
        return rc;
    if (gg_parse_i64(v, 0, max, out))
        return gg_fail(err, GG_EINVAL, name, MSG_QUERY_INVALID);
    return 0;
}

int
api_json_int(json_t *obj, const char *name, int64_t min, int64_t max,
             int required, int64_t *out, struct gg_err *err)
{
    json_t *v = json_object_get(obj, name);

    if (!v || json_is_null(v)) {
        if (required)
            return gg_fail(err, GG_EINVAL, name, MSG_FIELD_REQUIRED);
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min ||
        json_integer_value(v) > max)
        return gg_fail(err, GG_EINVAL, name, MSG_FIELD_INTEGER);
    *out = json_integer_value(v);
    return 0;
}

int
api_json_bool(json_t *obj, const char *name, int *out, struct gg_err *err)
{
    json_t *v = json_object_get(obj, name);

    *out = -1;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return gg_fail(err, GG_EINVAL, name, MSG_FIELD_BOOL);
    *out = json_is_true(v);
    return 0;
}

#define API_MAX_GRANTS 32

int
api_json_grants(struct http_req *req, json_t *obj, const char *name,
                struct account_grant **out, size_t *n, struct gg_err *err)
{
    static const char *const keys[] = {"role", "node_code", NULL};
    json_t *arr = json_object_get(obj, name), *item;
    size_t i;

    *out = NULL;
    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) > API_MAX_GRANTS)
        return gg_failf(err, GG_EINVAL, name, MSG_FIELD_ARRAY, "%d",
                        API_MAX_GRANTS);
    *out = gg_arena_alloc(req->arena,
                          (json_array_size(arr) + 1) * sizeof(**out));
    json_array_foreach(arr, i, item) {
        struct account_grant *g = &(*out)[i];
        int rc;
        if (!json_is_object(item))
            return gg_failf(err, GG_EINVAL, name, MSG_FIELD_ARRAY, "%d",
                            API_MAX_GRANTS);
        rc = gg_json_only_keys(item, keys, err);
        if (!rc)
            rc = gg_json_get_str(item, "role", 40, GG_JSON_REQUIRED, &g->role,
                                 err);
        if (!rc)
            rc = gg_json_get_str(item, "node_code", 18, GG_JSON_REQUIRED,
                                 &g->node_code, err);
        if (rc) {
            snprintf(err->field, sizeof(err->field), "%s", name);
            return rc;
        }
    }
    *n = json_array_size(arr);
    return 0;
}

void
api_app_start(struct api_app *app)
{
    app->imports = api_imports_start(app);
    app->events = api_events_new(app->cfg->notify_channel);
    app->writer = api_writer_start(app);
}

void
api_app_stop(struct api_app *app)
{
    api_imports_stop(app->imports);
    app->imports = NULL;
    api_writer_stop(app->writer);
    app->writer = NULL;
    api_events_free(app->events);
    app->events = NULL;
}
