/*
 * api_cases.c - the case engine over HTTP: report and act (both through
 * the writer's group commit), lists, one case with its log, photos, and
 * summons, statistics and points, the rules and the calendar, the
 * catalogue, department members, and each account's inbox.
 */
#include "core/gg.h"
#include "core/gg_json.h"
#include "core/gg_log.h"
#include "core/gg_time.h"
#include "api/api_cases.h"
#include "domain/locate.h"
#include "domain/node.h"
#include "domain/photo.h"
#include "domain/registry.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define CASES_PAGE 50
#define TEXT_MAX 2000

int
api_case_env(const struct api_app *app, const struct account_ctx *ctx,
             struct case_env *env)
{
    memset(env, 0, sizeof(*env));
    env->ctx = ctx;
    env->reopen_days = (int)app->cfg->case_reopen_days;
    env->cal.tz_min = 480;
    if (gg_workcal_hours(&env->cal, app->cfg->work_hours, NULL)) {
        gg_log(GG_LOG_WARN, "case", "op=work_hours bad=1");
        return GG_EINVAL;
    }
    return 0;
}

/* ---- reading a body ---- */

static int
str_field(json_t *body, const char *name, size_t max, int required,
          const char **out, struct gg_err *err)
{
    int rc = gg_json_get_str(body, name, max, required, out, err);
    if (!rc && *out && !**out) {
        if (required)
            return gg_fail(err, GG_EINVAL, name, MSG_FIELD_REQUIRED);
        *out = NULL;
    }
    return rc;
}

static int
num_field(json_t *body, const char *name, double min, double max,
          int *has, double *out, struct gg_err *err)
{
    json_t *v = json_object_get(body, name);

    *has = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_number(v))
        return gg_fail(err, GG_EINVAL, name, MSG_FIELD_NUMBER);
    *out = json_number_value(v);
    if (!(*out >= min && *out <= max))
        return gg_failf(err, GG_EINVAL, name, MSG_FIELD_RANGE, "%g–%g", min,
                        max);
    *has = 1;
    return 0;
}

/* An array of photo hashes (from POST /photos). */
static int
photos_field(json_t *body, struct case_input *in, struct gg_err *err)
{
    json_t *arr = json_object_get(body, "photos"), *v;
    size_t i;

    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr) ||
        json_array_size(arr) > GG_ARRAY_LEN(in->photos))
        return gg_failf(err, GG_EINVAL, "photos", MSG_FIELD_ARRAY, "%zu",
                        GG_ARRAY_LEN(in->photos));
    json_array_foreach(arr, i, v) {
        const char *h = json_string_value(v);
        if (!h || strlen(h) != 64 || strspn(h, "0123456789abcdef") != 64)
            return gg_fail(err, GG_EINVAL, "photos", MSG_PHOTO_UNKNOWN);
        in->photos[in->n_photos++] = h;
    }
    return 0;
}

static int
report_read(json_t *body, struct gg_arena *a, struct case_input *in,
            struct gg_err *err)
{
    static const char *const keys[] = {
        "family", "category", "source", "urgency", "title", "description",
        "address", "node_code", "lon", "lat", "contact_name",
        "contact_phone", "building_id", "org_id", "service_id", "parties",
        "photos", NULL};
    const char *family = NULL;
    json_t *parties;
    int64_t v = 0;
    int has_lon = 0, has_lat = 0;
    int rc = gg_json_only_keys(body, keys, err);

    if (!rc)
        rc = str_field(body, "family", 20, 1, &family, err);
    if (!rc && case_family_parse(family, &in->family))
        rc = gg_failf(err, GG_EINVAL, "family", MSG_FIELD_CHOICE, "%s",
                      "issue, dispute, hazard, service");
    if (!rc)
        rc = str_field(body, "category", 40, in->family != CF_SERVICE,
                       &in->category, err);
    if (!rc)
        rc = str_field(body, "source", 20, 0, &in->source, err);
    if (!rc)
        rc = api_json_int(body, "urgency", 1, 3, 0, &v, err);
    in->urgency = v ? (int)v : 1;
    if (!rc)
        rc = str_field(body, "title", 100, 1, &in->title, err);
    if (!rc)
        rc = str_field(body, "description", TEXT_MAX, 0, &in->description,
                       err);
    if (!rc)
        rc = str_field(body, "address", 200, 0, &in->address, err);
    if (!rc)
        rc = str_field(body, "node_code", NODE_CODE_MAX, 0, &in->node_code,
                       err);
    if (!rc && in->node_code)
        rc = node_code_check(in->node_code, NULL, "node_code", err);
    if (!rc)
        rc = num_field(body, "lon", -180, 180, &has_lon, &in->lon, err);
    if (!rc)
        rc = num_field(body, "lat", -90, 90, &has_lat, &in->lat, err);
    if (!rc && has_lon != has_lat)
        rc = gg_fail(err, GG_EINVAL, has_lon ? "lat" : "lon",
                     MSG_LOCATION_PAIR);
    in->has_point = has_lon && has_lat;
    if (!rc)
        rc = str_field(body, "contact_name", 50, 0, &in->contact_name, err);
    if (!rc)
        rc = str_field(body, "contact_phone", 20, 0, &in->contact_phone, err);
    if (!rc)
        rc = api_json_int(body, "building_id", 1, INT64_MAX, 0,
                          &in->building_id, err);
    if (!rc)
        rc = api_json_int(body, "org_id", 1, INT64_MAX, 0, &in->org_id, err);
    if (!rc)
        rc = api_json_int(body, "service_id", 1, INT64_MAX, 0,
                          &in->service_id, err);
    parties = json_object_get(body, "parties");
    if (!rc && parties && !json_is_null(parties)) {
        json_t *p;
        size_t i;
        char *text;
        if (!json_is_array(parties) || json_array_size(parties) > 20)
            return gg_failf(err, GG_EINVAL, "parties", MSG_FIELD_ARRAY, "%d",
                            20);
        json_array_foreach(parties, i, p) {
            const char *name = json_string_value(p);
            if (!name || !*name || strlen(name) > 150)
                return gg_fail(err, GG_EINVAL, "parties", MSG_FIELD_STRING);
        }
        text = json_dumps(parties, JSON_COMPACT);
        in->parties = text ? gg_arena_strdup(a, text) : NULL;
        free(text);
    }
    if (!rc)
        rc = photos_field(body, in, err);
    return rc;
}

/* The names of every action or state, for a 400 that lists them. */
static const char *
names_text(struct gg_arena *a, int n, const char *(*name)(int))
{
    const char *s = "";
    for (int i = 0; i < n; i++)
        s = gg_arena_printf(a, "%s%s%s", s, i ? ", " : "", name(i));
    return s;
}

static const char *
action_name(int i)
{
    return case_action_name((enum case_action)i);
}

static const char *
state_name(int i)
{
    return case_state_name((enum case_state)i);
}

static int
action_read(json_t *body, struct gg_arena *a, struct case_input *in,
            struct gg_err *err)
{
    static const char *const keys[] = {
        "action", "version", "note", "assignee", "rating", "outcome",
        "agreement", "deadline", "departments", "duplicate_of", "photos",
        NULL};
    static const char *const assignee_keys[] = {"kind", "id", "post", NULL};
    const char *action = NULL;
    json_t *as, *deps;
    int64_t v = 0;
    int rc = gg_json_only_keys(body, keys, err);

    if (!rc)
        rc = str_field(body, "action", 20, 1, &action, err);
    if (!rc && case_action_parse(action, &in->action))
        rc = gg_failf(err, GG_EINVAL, "action", MSG_FIELD_CHOICE, "%s",
                      names_text(a, CA__COUNT, action_name));
    if (!rc)
        rc = api_json_int(body, "version", 1, INT64_MAX, 0, &in->version,
                          err);
    if (!rc)
        rc = str_field(body, "note", TEXT_MAX, 0, &in->note, err);
    if (!rc)
        rc = api_json_int(body, "rating", 1, 5, 0, &v, err);
    in->rating = (int)v;
    if (!rc)
        rc = str_field(body, "outcome", 20, 0, &in->outcome, err);
    if (!rc)
        rc = str_field(body, "agreement", TEXT_MAX, 0, &in->agreement, err);
    if (!rc)
        rc = str_field(body, "deadline", 10, 0, &in->deadline, err);
    if (!rc)
        rc = api_json_int(body, "duplicate_of", 1, INT64_MAX, 0,
                          &in->duplicate_of, err);
    if (rc)
        return rc;
    as = json_object_get(body, "assignee");
    if (as && !json_is_null(as)) {
        if (!json_is_object(as))
            return gg_fail(err, GG_EINVAL, "assignee", MSG_JSON_NOT_OBJECT);
        rc = gg_json_only_keys(as, assignee_keys, err);
        if (!rc)
            rc = str_field(as, "kind", 20, 1, &in->assignee_kind, err);
        if (!rc && strcmp(in->assignee_kind, "account") &&
            strcmp(in->assignee_kind, "post") &&
            strcmp(in->assignee_kind, "department") &&
            strcmp(in->assignee_kind, "org"))
            rc = gg_failf(err, GG_EINVAL, "assignee", MSG_FIELD_CHOICE, "%s",
                          "account, post, department, org");
        if (!rc && !strcmp(in->assignee_kind, "post"))
            rc = str_field(as, "post", 30, 1, &in->assignee_post, err);
        else if (!rc)
            rc = api_json_int(as, "id", 1, INT64_MAX, 1, &in->assignee_id,
                              err);
        if (rc) {
            snprintf(err->field, sizeof(err->field), "assignee");
            return rc;
        }
    }
    deps = json_object_get(body, "departments");
    if (deps && !json_is_null(deps)) {
        json_t *d;
        size_t i;
        if (!json_is_array(deps) ||
            json_array_size(deps) > GG_ARRAY_LEN(in->departments))
            return gg_failf(err, GG_EINVAL, "departments", MSG_FIELD_ARRAY,
                            "%zu", GG_ARRAY_LEN(in->departments));
        json_array_foreach(deps, i, d) {
            if (!json_is_integer(d) || json_integer_value(d) < 1)
                return gg_fail(err, GG_EINVAL, "departments",
                               MSG_FIELD_INTEGER);
            in->departments[in->n_departments++] = json_integer_value(d);
        }
    }
    return photos_field(body, in, err);
}

/* ---- report and act, through the writer ---- */

struct case_write {
    struct case_input in;
    const char *grid;
    int64_t id;
    struct case_result res;
};

static void
case_published(struct api_write *w)
{
    struct case_write *cw = w->arg;
    api_events_publish_result(api_thread(w->req)->app->events, NULL,
                              w->req->arena, &cw->res);
}

static json_t *
case_out(const struct case_env *env, const struct account_who *who,
         const struct store_case *c)
{
    unsigned bits = 0;
    if (case_visible(env, who, c, &bits, NULL))
        bits = 0;
    return case_json(c, bits, env->ctx->now);
}

static int
report_write(struct api_write *w, const struct account_ctx *ctx,
             struct http_resp *resp, struct gg_err *err)
{
    struct case_write *cw = w->arg;
    struct account_who *who = api_who(w->req);
    struct case_env env;
    json_t *j, *dups;
    int rc = api_case_env(api_thread(w->req)->app, ctx, &env);

    if (rc)
        return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
    rc = case_report(&env, who, &cw->in, cw->grid, &cw->res, err);
    if (rc)
        return rc;
    j = case_out(&env, who, cw->res.c);
    dups = json_array();
    for (size_t i = 0; i < cw->res.n_duplicates; i++)
        json_array_append_new(dups, json_integer(cw->res.duplicates[i]));
    json_object_set_new(j, "suggested_duplicates", dups);
    http_resp_json(resp, 201, j);
    return 0;
}

static int
act_write(struct api_write *w, const struct account_ctx *ctx,
          struct http_resp *resp, struct gg_err *err)
{
    struct case_write *cw = w->arg;
    struct account_who *who = api_who(w->req);
    struct case_env env;
    int rc = api_case_env(api_thread(w->req)->app, ctx, &env);

    if (rc)
        return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
    rc = case_act(&env, who, cw->id, &cw->in, &cw->res, err);
    if (rc)
        return rc;
    http_resp_json(resp, 200, case_out(&env, who, cw->res.c));
    return 0;
}

static struct api_write *
write_new(struct http_req *req, struct case_write **cw,
          int (*fn)(struct api_write *, const struct account_ctx *,
                    struct http_resp *, struct gg_err *))
{
    struct api_write *w = gg_arena_alloc(req->arena, sizeof(*w));
    memset(w, 0, sizeof(*w));
    *cw = gg_arena_alloc(req->arena, sizeof(**cw));
    memset(*cw, 0, sizeof(**cw));
    w->fn = fn;
    w->arg = *cw;
    w->published = case_published;
    return w;
}

int
api_cases_create(struct http_req *req, struct http_resp *resp,
                 struct gg_err *err)
{
    struct account_who *who = api_who(req);
    struct case_write *cw;
    struct api_write *w = write_new(req, &cw, report_write);
    int rc = report_read(req->json, req->arena, &cw->in, err);

    /* Residents report what they see; the other sources are staff's. */
    if (!rc && cw->in.source && strcmp(cw->in.source, "resident") &&
        strcmp(cw->in.source, "居民反映") &&
        !(who->caps & (1u << CAP_CASE_HANDLE)))
        rc = gg_fail(err, GG_EFORBIDDEN, "source", MSG_FORBIDDEN);
    if (!rc && cw->in.has_point)
        rc = grid_locate(api_thread(req)->grids, api_store(req), cw->in.lon,
                         cw->in.lat, "lon", req->arena, &cw->grid, err);
    if (rc)
        return rc;
    return api_write_defer(req, resp, w, err);
}

int
api_cases_act(struct http_req *req, struct http_resp *resp,
              struct gg_err *err)
{
    struct case_write *cw;
    struct api_write *w = write_new(req, &cw, act_write);
    int rc = api_param_id(req, "id", &cw->id, err);

    if (!rc)
        rc = action_read(req->json, req->arena, &cw->in, err);
    if (rc)
        return rc;
    return api_write_defer(req, resp, w, err);
}

/* ---- reads ---- */

static int
read_env(struct http_req *req, struct account_ctx *ctx, struct case_env *env,
         struct gg_err *err)
{
    api_ctx(req, ctx);
    if (api_case_env(api_thread(req)->app, ctx, env))
        return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
    return 0;
}

/* The relations of who that a list takes in: departments and posts. */
static int
relations(struct http_req *req, struct store_case_filter *f,
          struct gg_err *err)
{
    struct account_who *who = api_who(req);
    int64_t *depts = gg_arena_alloc(req->arena, 32 * sizeof(*depts));
    const char **posts = gg_arena_alloc(req->arena, 32 * sizeof(*posts));
    int rc = store_account_departments(api_store(req), who->account_id,
                                       depts, &f->n_departments, err);

    if (!rc)
        rc = store_account_posts(api_store(req), who->account_id, req->arena,
                                 posts, &f->n_posts, err);
    f->departments = depts;
    f->posts = posts;
    f->reporter_id = who->account_id;
    f->account_id = who->account_id;
    return rc;
}

static int
choice_query(struct http_req *req, const char *name, const char *choices,
             const char **out, struct gg_err *err)
{
    int rc = http_query_str(req, name, 40, out, err);
    if (!rc && *out && !**out)
        *out = NULL;
    if (!rc && *out) {
        const char *code = registry_choice_code(choices, *out, req->arena);
        if (!code)
            return gg_failf(err, GG_EINVAL, name, MSG_FIELD_CHOICE, "%s",
                            choices);
        *out = code;
    }
    return rc;
}

/* The filters lists and statistics share. */
static int
case_filter(struct http_req *req, struct store_case_filter *f,
            struct store_scope *scope, struct gg_err *err)
{
    struct account_who *who = api_who(req);
    const char *family = NULL;
    enum case_family fam = CF_ISSUE;
    int64_t v = 0;
    int rc;

    memset(f, 0, sizeof(*f));
    account_scope_for(who, CAP_CASE_HANDLE, req->arena, scope);
    f->scope = scope->n ? scope : NULL;
    rc = http_query_str(req, "node", NODE_CODE_MAX, &f->node, err);
    if (!rc && f->node && *f->node)
        rc = node_code_check(f->node, NULL, "node", err);
    else if (!rc)
        f->node = NULL;
    if (!rc)
        rc = http_query_str(req, "family", 20, &family, err);
    if (!rc && family && *family) {
        if (case_family_parse(family, &fam))
            return gg_failf(err, GG_EINVAL, "family", MSG_FIELD_CHOICE, "%s",
                            "issue, dispute, hazard, service");
        f->family = case_family_name(fam);
        rc = choice_query(req, "category", case_categories(fam),
                          &f->category, err);
    }
    if (!rc)
        rc = choice_query(req, "source", CASE_SOURCES, &f->source, err);
    if (!rc)
        rc = api_query_time(req, "from", &f->from, err);
    if (!rc)
        rc = api_query_time(req, "to", &f->to, err);
    if (!rc)
        rc = http_query_str(req, "q", 50, &f->q, err);
    if (!rc && f->q && !*f->q)
        f->q = NULL;
    if (!rc)
        rc = api_query_int(req, "alert", 2, &v, err);
    f->alert = (int)v;
    if (rc)
        return rc;
    /* Within the scope: a node outside it sees nothing of the scope. */
    if (f->node && f->scope && !store_scope_covers(f->scope, f->node)) {
        int under = 0;
        for (size_t i = 0; i < scope->n; i++)
            under |= !strncmp(scope->prefixes[i], f->node, strlen(f->node));
        if (!under)
            return gg_failf(err, GG_ENOTFOUND, "node", MSG_NODE_NOT_FOUND,
                            "%s", f->node);
    }
    return 0;
}

int
api_cases_list(struct http_req *req, struct http_resp *resp,
               struct gg_err *err)
{
    struct account_ctx ctx;
    struct case_env env;
    struct store_case_filter f;
    struct store_scope scope;
    struct store_case *rows;
    const char *state = NULL, *mine = NULL;
    enum case_state st;
    json_t *items;
    int64_t open = 0;
    size_t n = 0;
    int rc = case_filter(req, &f, &scope, err);

    if (!rc)
        rc = http_query_str(req, "state", 20, &state, err);
    if (!rc && state && *state) {
        if (case_state_parse(state, &st))
            return gg_failf(err, GG_EINVAL, "state", MSG_FIELD_CHOICE, "%s",
                            names_text(req->arena, CS__COUNT, state_name));
        f.state = case_state_name(st);
    }
    if (!rc)
        rc = api_query_int(req, "open", 2, &open, err);
    f.open = (int)open;
    if (!rc)
        rc = http_query_str(req, "mine", 20, &mine, err);
    if (!rc)
        rc = api_query_int(req, "after", INT64_MAX, &f.after, err);
    if (!rc)
        rc = relations(req, &f, err);
    if (!rc)
        rc = read_env(req, &ctx, &env, err);
    if (rc)
        return rc;
    if (mine && *mine) {
        /* reported: what I reported; todo: what is assigned or summoned
         * to me and still open. */
        if (!strcmp(mine, "reported")) {
            f.mine_only = 1;
            f.account_id = 0;
            f.n_departments = f.n_posts = 0;
        } else if (!strcmp(mine, "todo")) {
            f.mine_only = 1;
            f.reporter_id = 0;
            f.open = 1;
        } else {
            return gg_failf(err, GG_EINVAL, "mine", MSG_FIELD_CHOICE, "%s",
                            "reported, todo");
        }
    }
    if (!f.node && f.scope)
        f.node = ""; /* all of the scope */
    f.limit = CASES_PAGE;
    rc = store_case_list(api_store(req), &f, req->arena, &rows, &n, err);
    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, case_out(&env, api_who(req), &rows[i]));
    http_resp_json(resp, 200,
                   json_pack("{s:o,s:o}", "items", items, "next",
                             n == CASES_PAGE ? json_integer(rows[n - 1].id)
                                             : json_null()));
    return 0;
}

static int
case_load(struct http_req *req, struct case_env *env, struct store_case **c,
          unsigned *bits, struct gg_err *err)
{
    int64_t id;
    int rc = api_param_id(req, "id", &id, err);

    if (!rc)
        rc = store_case_get(api_store(req), id, req->arena, c, err);
    if (!rc)
        rc = case_visible(env, api_who(req), *c, bits, err);
    return rc;
}

int
api_cases_get(struct http_req *req, struct http_resp *resp,
              struct gg_err *err)
{
    struct account_ctx ctx;
    struct case_env env;
    struct store_case *c;
    struct store_summons *m;
    struct store_photo *p;
    size_t nm = 0, np = 0;
    unsigned bits;
    json_t *j, *summons, *photos;
    int rc = read_env(req, &ctx, &env, err);

    if (!rc)
        rc = case_load(req, &env, &c, &bits, err);
    if (!rc)
        rc = store_summons_list(api_store(req), c->id, req->arena, &m, &nm,
                                err);
    if (!rc)
        rc = store_case_photos(api_store(req), c->id, req->arena, &p, &np,
                               err);
    if (rc)
        return rc;
    j = case_json(c, bits, ctx.now);
    summons = json_array();
    for (size_t i = 0; i < nm; i++)
        json_array_append_new(
            summons,
            json_pack("{s:I,s:s,s:o,s:o,s:o,s:o}", "department_id",
                      (json_int_t)m[i].department_id, "department",
                      m[i].department, "summoned_at",
                      api_time_json(m[i].summoned_at), "acked_at",
                      api_time_json(m[i].acked_at), "reported_at",
                      api_time_json(m[i].reported_at), "report",
                      m[i].report ? json_string(m[i].report) : json_null()));
    photos = json_array();
    for (size_t i = 0; i < np; i++)
        json_array_append_new(
            photos, json_pack("{s:s,s:s,s:I,s:i,s:i,s:I}", "hash", p[i].hash,
                              "mime", p[i].mime, "size", (json_int_t)p[i].size,
                              "width", p[i].width, "height", p[i].height,
                              "log_id", (json_int_t)p[i].log_id));
    json_object_set_new(j, "summons", summons);
    json_object_set_new(j, "photos", photos);
    http_resp_json(resp, 200, j);
    return 0;
}

int
api_cases_log(struct http_req *req, struct http_resp *resp,
              struct gg_err *err)
{
    struct account_ctx ctx;
    struct case_env env;
    struct store_case *c;
    struct store_case_log *l;
    size_t n = 0;
    unsigned bits;
    json_t *items;
    int rc = read_env(req, &ctx, &env, err);

    if (!rc)
        rc = case_load(req, &env, &c, &bits, err);
    if (!rc)
        rc = store_case_log_list(api_store(req), c->id, req->arena, &l, &n,
                                 err);
    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *detail = l[i].detail ? json_loads(l[i].detail, 0, NULL)
                                     : NULL;
        json_array_append_new(
            items,
            json_pack("{s:I,s:o,s:o,s:o,s:s,s:o,s:s,s:o,s:o}", "id",
                      (json_int_t)l[i].id, "at", api_time_json(l[i].at),
                      "actor_id",
                      l[i].actor_id ? json_integer(l[i].actor_id)
                                    : json_null(),
                      "actor", l[i].actor ? json_string(l[i].actor)
                                          : json_null(),
                      "action", l[i].action, "from",
                      l[i].from_state ? json_string(l[i].from_state)
                                      : json_null(),
                      "to", l[i].to_state, "note",
                      l[i].note ? json_string(l[i].note) : json_null(),
                      "detail", detail ? detail : json_null()));
    }
    http_resp_json(resp, 200, json_pack("{s:o}", "items", items));
    return 0;
}

/* GET /cases/{id}/assignees: who the case can be dispatched to in its
 * grid (the roster's posts and the accounts that hold them). */
int
api_cases_assignees(struct http_req *req, struct http_resp *resp,
                    struct gg_err *err)
{
    struct account_ctx ctx;
    struct case_env env;
    struct store_case *c;
    struct store_post_holder *h;
    size_t n = 0;
    unsigned bits;
    json_t *items;
    int rc = read_env(req, &ctx, &env, err);

    if (!rc)
        rc = case_load(req, &env, &c, &bits, err);
    if (!rc && !(bits & (W_HOLDER | W_STAFF)))
        rc = gg_fail(err, GG_EFORBIDDEN, "", MSG_FORBIDDEN);
    if (!rc)
        rc = store_post_holders(api_store(req),
                                strlen(c->node_code) > 15
                                    ? gg_arena_strndup(req->arena,
                                                       c->node_code, 15)
                                    : c->node_code,
                                req->arena, &h, &n, err);
    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items,
                              json_pack("{s:I,s:s,s:s}", "account_id",
                                        (json_int_t)h[i].account_id, "name",
                                        h[i].name, "post", h[i].post));
    http_resp_json(resp, 200, json_pack("{s:o}", "items", items));
    return 0;
}

/* ---- statistics and points ---- */

static json_t *
rate(int64_t num, int64_t den)
{
    return den ? json_real((double)num / (double)den) : json_null();
}

static json_t *
stats_json(const struct store_case_stats *g)
{
    return json_pack(
        "{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
        "key", g->key ? g->key : "", "total", (json_int_t)g->total, "open",
        (json_int_t)g->open, "closed", (json_int_t)g->closed, "ended",
        (json_int_t)g->ended, "red", (json_int_t)g->red, "yellow",
        (json_int_t)g->yellow, "rated", (json_int_t)g->rated,
        /* 结案率: closed of those due to close by now */
        "closure_rate", rate(g->closed, g->due),
        /* 按期结案率 */
        "on_time_rate", rate(g->closed_on_time, g->closed),
        /* 返工率 */
        "rework_rate", rate(g->reworked, g->total - g->ended),
        /* 满意率: rated 4 or 5 */
        "satisfaction_rate", rate(g->satisfied, g->rated),
        /* 调处率 and 调解成功率, disputes */
        "mediation_rate", rate(g->mediated, g->disputes),
        "mediation_success_rate", rate(g->mediated_ok, g->mediated),
        "response_on_time_rate", rate(g->responded_on_time, g->responded),
        "avg_handle_hours",
        g->closed ? json_real((double)g->handle_s / (double)g->closed / 3600.0)
                  : json_null());
}

int
api_cases_stats(struct http_req *req, struct http_resp *resp,
                struct gg_err *err)
{
    static const char *const groups[] = {
        [CASE_GROUP_NONE] = "", [CASE_GROUP_STATE] = "state",
        [CASE_GROUP_FAMILY] = "family", [CASE_GROUP_CATEGORY] = "category",
        [CASE_GROUP_SOURCE] = "source", [CASE_GROUP_CHILD] = "child",
        [CASE_GROUP_WEEK] = "week", [CASE_GROUP_MONTH] = "month"};
    struct store_case_filter f;
    struct store_scope scope;
    struct store_case_stats *all, *rows;
    struct store_node *node;
    const char *group = NULL;
    enum store_case_group g = CASE_GROUP_NONE;
    size_t n_all = 0, n = 0, child = 0;
    json_t *items;
    int rc = case_filter(req, &f, &scope, err);

    if (!rc)
        rc = http_query_str(req, "group", 20, &group, err);
    if (rc)
        return rc;
    if (!f.node)
        f.node = scope.n ? scope.prefixes[0] : "";
    for (size_t i = 1; group && *group && i < GG_ARRAY_LEN(groups); i++)
        if (!strcmp(groups[i], group))
            g = (enum store_case_group)i;
    if (group && *group && g == CASE_GROUP_NONE)
        return gg_failf(err, GG_EINVAL, "group", MSG_FIELD_CHOICE, "%s",
                        "state, family, category, source, child, week, month");
    rc = store_node_get(api_store(req), &scope, f.node, req->arena, &node,
                        err);
    if (rc)
        return rc;
    /* The next level's code length: 2 4 6 9 12 15 18. */
    child = strlen(f.node) < 6    ? strlen(f.node) + 2
            : strlen(f.node) < 18 ? strlen(f.node) + 3
                                  : 18;
    f.mine_only = 0;
    f.reporter_id = f.account_id = -1;
    rc = store_case_stats(api_store(req), &f, CASE_GROUP_NONE, 0, gg_now_s(),
                          req->arena, &all, &n_all, err);
    if (!rc && g != CASE_GROUP_NONE)
        rc = store_case_stats(api_store(req), &f, g, child, gg_now_s(),
                              req->arena, &rows, &n, err);
    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, stats_json(&rows[i]));
    http_resp_json(resp, 200,
                   json_pack("{s:s,s:s,s:o,s:o}", "node", f.node, "node_name",
                             node->name,
                             "totals", n_all ? stats_json(&all[0])
                                             : stats_json(&(struct store_case_stats){0}),
                             "groups", items));
    return 0;
}

static int
points_query(struct http_req *req, const char **node, int64_t *from,
             int64_t *to, struct gg_err *err)
{
    struct account_who *who = api_who(req);
    struct store_node *n;
    int rc = http_query_str(req, "node", NODE_CODE_MAX, node, err);

    if (!rc && (!*node || !**node))
        *node = who->scope.n ? who->scope.prefixes[0] : "";
    if (!rc)
        rc = api_query_time(req, "from", from, err);
    if (!rc)
        rc = api_query_time(req, "to", to, err);
    if (!rc)
        rc = store_node_get(api_store(req), &who->scope, *node, req->arena,
                            &n, err);
    return rc;
}

int
api_points_ranking(struct http_req *req, struct http_resp *resp,
                   struct gg_err *err)
{
    struct store_points *rows;
    const char *node, *by = NULL;
    int64_t from = 0, to = 0;
    size_t n = 0, by_node = 0;
    json_t *items;
    int rc = points_query(req, &node, &from, &to, err);

    if (!rc)
        rc = http_query_str(req, "by", 20, &by, err);
    if (rc)
        return rc;
    if (by && !strcmp(by, "grid"))
        by_node = 15;
    else if (by && !strcmp(by, "community"))
        by_node = 12;
    else if (by && *by && strcmp(by, "account"))
        return gg_failf(err, GG_EINVAL, "by", MSG_FIELD_CHOICE, "%s",
                        "account, grid, community");
    rc = store_points_ranking(api_store(req), node, from, to, by_node, 100,
                              req->arena, &rows, &n, err);
    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            items,
            json_pack("{s:i,s:o,s:o,s:s,s:I}", "rank", (int)i + 1, "account_id",
                      by_node ? json_null() : json_integer(rows[i].account_id),
                      "node_code",
                      by_node ? json_string(rows[i].node_code) : json_null(),
                      "name", rows[i].name ? rows[i].name : "", "points",
                      (json_int_t)rows[i].points));
    http_resp_json(resp, 200, json_pack("{s:o}", "items", items));
    return 0;
}

int
api_points_ledger(struct http_req *req, struct http_resp *resp,
                  struct gg_err *err)
{
    size_t n_rules, n = 0;
    const struct case_point_rule *rules = case_point_rules(&n_rules);
    struct store_points *rows;
    const char *node;
    int64_t from = 0, to = 0, account = 0;
    json_t *items;
    int rc = points_query(req, &node, &from, &to, err);

    if (!rc)
        rc = api_query_int(req, "account", INT64_MAX, &account, err);
    if (!rc)
        rc = store_points_ledger(api_store(req), node, account, from, to, 500,
                                 req->arena, &rows, &n, err);
    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *zh = rows[i].reason;
        for (size_t k = 0; k < n_rules; k++)
            if (!strcmp(rules[k].reason, rows[i].reason))
                zh = rules[k].zh;
        json_array_append_new(
            items,
            json_pack("{s:I,s:o,s:I,s:s,s:s,s:o,s:I,s:s,s:s}", "id",
                      (json_int_t)rows[i].id, "at", api_time_json(rows[i].at),
                      "account_id", (json_int_t)rows[i].account_id, "account",
                      rows[i].name ? rows[i].name : "", "node_code",
                      rows[i].node_code, "case_id",
                      rows[i].case_id ? json_integer(rows[i].case_id)
                                      : json_null(),
                      "points", (json_int_t)rows[i].points, "reason",
                      rows[i].reason, "reason_text", zh));
    }
    http_resp_json(resp, 200, json_pack("{s:o}", "items", items));
    return 0;
}

/* ---- the tables: flows, rules, calendar, catalogue ---- */

int
api_case_flows(struct http_req *req, struct http_resp *resp,
               struct gg_err *err)
{
    static const char *const who_names[] = {"reporter", "holder", "assignee",
                                            "summoned", "summoner", "staff"};
    static const char *const need_names[] = {
        "note", "assignee", "rating", "outcome", "deadline", "departments",
        "duplicate_of", "photos"};
    size_t n;
    const struct case_flow *fl = case_flows(&n);
    json_t *items = json_array(), *families = json_array();

    (void)req;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        json_t *who = json_array(), *need = json_array();
        for (size_t b = 0; b < GG_ARRAY_LEN(who_names); b++)
            if (fl[i].who & (1u << b))
                json_array_append_new(who, json_string(who_names[b]));
        for (size_t b = 0; b < GG_ARRAY_LEN(need_names); b++)
            if (fl[i].need & (1u << b))
                json_array_append_new(need, json_string(need_names[b]));
        json_array_append_new(
            items,
            json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "family",
                      case_family_name(fl[i].family), "from",
                      case_state_name(fl[i].from), "action",
                      case_action_name(fl[i].action), "to",
                      fl[i].to == CS__COUNT ? case_state_name(fl[i].from)
                                            : case_state_name(fl[i].to),
                      "who", who, "need", need));
    }
    for (int f = 0; f < CF__COUNT; f++)
        json_array_append_new(
            families,
            json_pack("{s:s,s:s,s:s}", "family",
                      case_family_name((enum case_family)f), "name",
                      case_family_zh((enum case_family)f), "categories",
                      case_categories((enum case_family)f)));
    http_resp_json(resp, 200,
                   json_pack("{s:o,s:o,s:s,s:s}", "flows", items, "families",
                             families, "sources", CASE_SOURCES, "outcomes",
                             CASE_OUTCOMES));
    return 0;
}

int
api_case_rules_list(struct http_req *req, struct http_resp *resp,
                    struct gg_err *err)
{
    struct store_case_rule *r;
    size_t n = 0;
    json_t *items;
    int rc = store_case_rules(api_store(req), req->arena, &r, &n, err);

    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            items, json_pack("{s:s,s:s,s:i,s:I,s:I,s:s}", "family",
                             r[i].family, "category", r[i].category,
                             "urgency", r[i].urgency, "response_min",
                             (json_int_t)r[i].response_min, "resolve_min",
                             (json_int_t)r[i].resolve_min, "clock",
                             r[i].clock));
    http_resp_json(resp, 200, json_pack("{s:o}", "items", items));
    return 0;
}

int
api_case_rules_put(struct http_req *req, struct http_resp *resp,
                   struct gg_err *err)
{
    static const char *const keys[] = {"family", "category", "urgency",
                                       "response_min", "resolve_min", "clock",
                                       NULL};
    struct store_case_rule r = {0};
    enum case_family fam;
    const char *family = NULL, *category = NULL;
    int64_t urgency = 0;
    int rc = gg_json_only_keys(req->json, keys, err);

    if (!rc)
        rc = str_field(req->json, "family", 20, 1, &family, err);
    if (!rc && case_family_parse(family, &fam))
        rc = gg_fail(err, GG_EINVAL, "family", MSG_FIELD_CHOICE);
    if (!rc)
        rc = str_field(req->json, "category", 40, 0, &category, err);
    if (!rc && category &&
        !(category = registry_choice_code(case_categories(fam), category,
                                          req->arena)))
        rc = gg_failf(err, GG_EINVAL, "category", MSG_FIELD_CHOICE, "%s",
                      case_categories(fam));
    if (!rc)
        rc = api_json_int(req->json, "urgency", 1, 3, 1, &urgency, err);
    if (!rc)
        rc = api_json_int(req->json, "response_min", 1, 60 * 24 * 30, 1,
                          &r.response_min, err);
    if (!rc)
        rc = api_json_int(req->json, "resolve_min", 1, 60 * 24 * 365, 1,
                          &r.resolve_min, err);
    if (!rc)
        rc = str_field(req->json, "clock", 10, 0, &r.clock, err);
    if (!rc && r.clock && strcmp(r.clock, "work") && strcmp(r.clock, "clock"))
        rc = gg_failf(err, GG_EINVAL, "clock", MSG_FIELD_CHOICE, "%s",
                      "work, clock");
    if (!rc && r.resolve_min < r.response_min)
        rc = gg_failf(err, GG_EINVAL, "resolve_min", MSG_FIELD_RANGE, "≥ %s",
                      "response_min");
    if (rc)
        return rc;
    r.family = case_family_name(fam);
    r.category = category ? category : "";
    r.urgency = (int)urgency;
    r.clock = r.clock ? r.clock : "work";
    rc = store_case_rule_put(api_store(req), &r, err);
    if (rc)
        return rc;
    return api_case_rules_list(req, resp, err);
}

/* 200 {"year","work_hours","days"}: the exceptions of one year. */
static int
calendar_out(struct http_req *req, struct http_resp *resp, int64_t year,
             struct gg_err *err)
{
    struct store_calendar_day *d;
    char from[16], to[16];
    size_t n = 0;
    json_t *items;
    int rc;

    snprintf(from, sizeof(from), "%04d-01-01", (int)year);
    snprintf(to, sizeof(to), "%04d-12-31", (int)year);
    rc = store_calendar_list(api_store(req), from, to, req->arena, &d, &n,
                             err);
    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items,
                              json_pack("{s:s,s:b,s:o}", "day", d[i].day,
                                        "work", d[i].work, "name",
                                        d[i].name ? json_string(d[i].name)
                                                  : json_null()));
    http_resp_json(resp, 200,
                   json_pack("{s:I,s:s,s:o}", "year", (json_int_t)year,
                             "work_hours",
                             api_thread(req)->app->cfg->work_hours, "days",
                             items));
    return 0;
}

int
api_calendar_get(struct http_req *req, struct http_resp *resp,
                 struct gg_err *err)
{
    int64_t year = 0;
    int rc = api_query_int(req, "year", 2200, &year, err);

    if (rc)
        return rc;
    if (!year)
        year = gg_today_ymd(gg_now_s()) / 10000;
    return calendar_out(req, resp, year, err);
}

int
api_calendar_put(struct http_req *req, struct http_resp *resp,
                 struct gg_err *err)
{
    static const char *const keys[] = {"days", NULL};
    static const char *const day_keys[] = {"day", "work", "name", NULL};
    struct store_calendar_day *days;
    json_t *arr, *v;
    char from[16], to[16];
    int64_t year;
    size_t i, n;
    int rc = gg_json_only_keys(req->json, keys, err);

    if (!rc)
        rc = api_param_id(req, "year", &year, err);
    if (!rc && (year < 1970 || year > 2200))
        rc = gg_fail(err, GG_ENOTFOUND, "year", MSG_NOT_FOUND);
    if (rc)
        return rc;
    arr = json_object_get(req->json, "days");
    if (!json_is_array(arr) || json_array_size(arr) > 366)
        return gg_failf(err, GG_EINVAL, "days", MSG_FIELD_ARRAY, "%d", 366);
    n = json_array_size(arr);
    days = gg_arena_alloc(req->arena, (n + 1) * sizeof(*days));
    snprintf(from, sizeof(from), "%04d-01-01", (int)year);
    snprintf(to, sizeof(to), "%04d-12-31", (int)year);
    json_array_foreach(arr, i, v) {
        int32_t dn;
        int work = -1;
        if (!json_is_object(v))
            return gg_fail(err, GG_EINVAL, "days", MSG_JSON_NOT_OBJECT);
        rc = gg_json_only_keys(v, day_keys, err);
        if (!rc)
            rc = str_field(v, "day", 10, 1, &days[i].day, err);
        if (!rc)
            rc = gg_workcal_day_parse(days[i].day, "day", &dn, err);
        if (!rc && (strcmp(days[i].day, from) < 0 ||
                    strcmp(days[i].day, to) > 0))
            rc = gg_failf(err, GG_EINVAL, "day", MSG_FIELD_RANGE, "%s–%s",
                          from, to);
        if (!rc)
            rc = api_json_bool(v, "work", &work, err);
        if (!rc && work < 0)
            rc = gg_fail(err, GG_EINVAL, "work", MSG_FIELD_REQUIRED);
        if (!rc)
            rc = str_field(v, "name", 50, 0, &days[i].name, err);
        for (size_t k = 0; !rc && k < i; k++)
            if (!strcmp(days[k].day, days[i].day))
                rc = gg_failf(err, GG_EINVAL, "day", MSG_DUPLICATE, "%s",
                              days[i].day);
        if (rc)
            return rc;
        days[i].work = work;
    }
    rc = store_begin(api_store(req), err);
    if (!rc)
        rc = store_calendar_replace(api_store(req), from, to, days, n, err);
    if (!rc)
        rc = store_commit(api_store(req), err);
    else if (store_rollback(api_store(req), NULL))
        gg_log(GG_LOG_ERROR, "calendar", "op=rollback failed=1");
    if (rc)
        return rc;
    return calendar_out(req, resp, year, err);
}

/* The records of kind at the nodes above (or at) each of who's roles, at
 * the code lengths given: the departments of a district and street, the
 * services of a street and community. */
static int
records_above(struct http_req *req, struct http_resp *resp,
              enum store_kind kind, const size_t *lens, size_t n_lens,
              struct gg_err *err)
{
    const struct reg_kind *k = registry_kind_of(kind);
    struct account_who *who = api_who(req);
    json_t *items = json_array();
    int64_t seen[256];
    size_t n_seen = 0;

    for (size_t r = 0; r < who->n_roles; r++) {
        const char *code = who->roles[r].node_code;
        for (size_t l = 0; l < n_lens && lens[l] <= strlen(code); l++) {
            const char *prefix = gg_arena_strndup(req->arena, code, lens[l]);
            struct store_scope scope = {&prefix, 1};
            struct store_record_filter f = {0};
            struct store_record *rows;
            size_t n = 0;
            f.node = prefix;
            f.limit = 200;
            if (store_record_list(api_store(req), kind, &scope, &f,
                                  req->arena, &rows, &n, err)) {
                json_decref(items);
                return err->code;
            }
            for (size_t i = 0; i < n; i++) {
                int dup = 0;
                /* Only the records of this very node (not a sub-node's),
                 * and only services on offer. */
                if (strcmp(rows[i].node_code, prefix) ||
                    (kind == STORE_KIND_SERVICE &&
                     !rows[i].v[STORE_F_SERVICE_active].i))
                    continue;
                for (size_t s = 0; s < n_seen; s++)
                    dup |= seen[s] == rows[i].id;
                if (dup || n_seen == GG_ARRAY_LEN(seen))
                    continue;
                seen[n_seen++] = rows[i].id;
                json_array_append_new(items, registry_json(k, &rows[i]));
            }
        }
    }
    http_resp_json(resp, 200, json_pack("{s:o}", "items", items));
    return 0;
}

/* GET /catalogue: the services a resident can order where they live. */
int
api_catalogue(struct http_req *req, struct http_resp *resp,
              struct gg_err *err)
{
    static const size_t lens[] = {9, 12};
    return records_above(req, resp, STORE_KIND_SERVICE, lens,
                         GG_ARRAY_LEN(lens), err);
}

/* GET /cases/departments: the departments a case can go to from where
 * who works (the district's and the street's). */
int
api_cases_departments(struct http_req *req, struct http_resp *resp,
                      struct gg_err *err)
{
    static const size_t lens[] = {6, 9};
    return records_above(req, resp, STORE_KIND_DEPARTMENT, lens,
                         GG_ARRAY_LEN(lens), err);
}

/* ---- department members ---- */

static int
department_in_scope(struct http_req *req, int64_t *id, struct gg_err *err)
{
    struct store_record *d;
    int rc = api_param_id(req, "id", id, err);
    if (!rc)
        rc = store_record_get(api_store(req), STORE_KIND_DEPARTMENT,
                              &api_who(req)->scope, *id, req->arena, &d, err);
    return rc;
}

int
api_department_members(struct http_req *req, struct http_resp *resp,
                       struct gg_err *err)
{
    struct store_count *m;
    size_t n = 0;
    int64_t id;
    json_t *items;
    int rc = department_in_scope(req, &id, err);

    if (!rc)
        rc = store_department_members(api_store(req), id, req->arena, &m, &n,
                                      err);
    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items,
                              json_pack("{s:I,s:s}", "account_id",
                                        (json_int_t)m[i].count, "name",
                                        m[i].key ? m[i].key : ""));
    http_resp_json(resp, 200, json_pack("{s:o}", "items", items));
    return 0;
}

static int
member_change(struct http_req *req, struct http_resp *resp, int add,
              struct gg_err *err)
{
    struct store_account *acct;
    int64_t id, account;
    int rc = department_in_scope(req, &id, err);

    if (!rc)
        rc = api_param_id(req, "account_id", &account, err);
    if (!rc && add &&
        store_account_by_id(api_store(req), account, req->arena, &acct, NULL))
        rc = gg_fail(err, GG_ENOTFOUND, "account_id", MSG_NOT_FOUND);
    if (!rc)
        rc = add ? store_department_member_put(api_store(req), id, account,
                                               gg_now_s(), err)
                 : store_department_member_delete(api_store(req), id, account,
                                                  err);
    if (rc)
        return rc;
    resp->status = 204;
    return 0;
}

int
api_department_member_put(struct http_req *req, struct http_resp *resp,
                          struct gg_err *err)
{
    return member_change(req, resp, 1, err);
}

int
api_department_member_delete(struct http_req *req, struct http_resp *resp,
                             struct gg_err *err)
{
    return member_change(req, resp, 0, err);
}

/* ---- photos ---- */

int
api_photos_create(struct http_req *req, struct http_resp *resp,
                  struct gg_err *err)
{
    const struct api_app *app = api_thread(req)->app;
    struct store_photo p = {0};
    enum photo_type type;
    char dir[GG_CONF_STR_MAX + 16], hash[65];
    int w = 0, h = 0;
    int rc = photo_check(req->upload.fd, req->upload.size, &type, &w, &h, err);

    if (rc)
        return rc;
    photo_dir(app->cfg, dir, sizeof(dir));
    rc = photo_store(dir, req->upload.path, type, hash, err);
    if (rc)
        return rc;
    req->upload.path = NULL; /* moved (or removed as a duplicate) */
    p.hash = hash;
    p.mime = type == PHOTO_PNG ? "image/png" : "image/jpeg";
    p.size = (int64_t)req->upload.size;
    p.width = w;
    p.height = h;
    p.uploaded_by = api_who(req)->account_id;
    p.at = gg_now_s();
    rc = store_photo_put(api_store(req), &p, err);
    if (rc)
        return rc;
    http_resp_json(resp, 201,
                   json_pack("{s:s,s:s,s:I,s:i,s:i}", "hash", hash, "mime",
                             p.mime, "size", (json_int_t)p.size, "width", w,
                             "height", h));
    return 0;
}

int
api_photos_get(struct http_req *req, struct http_resp *resp,
               struct gg_err *err)
{
    const struct api_app *app = api_thread(req)->app;
    const char *hash = http_param(req, "hash");
    struct store_photo *p;
    struct account_ctx ctx;
    struct case_env env;
    int64_t ids[16];
    size_t n = 0;
    int ok = 0, fd;
    uint64_t size;
    const char *type;
    char dir[GG_CONF_STR_MAX + 16];
    int rc = read_env(req, &ctx, &env, err);

    if (!rc)
        rc = store_photo_get(api_store(req), hash, req->arena, &p, err);
    if (rc)
        return rc == GG_ENOTFOUND ? gg_fail(err, rc, "", MSG_NOT_FOUND) : rc;
    ok = p->uploaded_by == api_who(req)->account_id;
    rc = store_photo_cases(api_store(req), hash, ids, &n, err);
    for (size_t i = 0; !rc && !ok && i < n; i++) {
        struct store_case *c;
        unsigned bits;
        ok = !store_case_get(api_store(req), ids[i], req->arena, &c, NULL) &&
             !case_visible(&env, api_who(req), c, &bits, NULL);
    }
    if (rc)
        return rc;
    if (!ok)
        return gg_fail(err, GG_ENOTFOUND, "", MSG_NOT_FOUND);
    photo_dir(app->cfg, dir, sizeof(dir));
    rc = photo_open(dir, hash, &fd, &size, &type, err);
    if (rc)
        return rc;
    resp->status = 200;
    resp->fd = fd;
    resp->fd_size = size;
    resp->content_type = type;
    http_resp_header(resp, "Cache-Control", "private, max-age=86400");
    return 0;
}

/* ---- the inbox ---- */

int
api_me_notifications(struct http_req *req, struct http_resp *resp,
                     struct gg_err *err)
{
    struct store_notification *m;
    int64_t before = 0, unread_only = 0, unread = 0;
    size_t n = 0;
    json_t *items;
    int rc = api_query_int(req, "before", INT64_MAX, &before, err);

    if (!rc)
        rc = api_query_int(req, "unread", 1, &unread_only, err);
    if (!rc)
        rc = store_notifications(api_store(req), api_who(req)->account_id,
                                 (int)unread_only, before, 50, req->arena, &m,
                                 &n, &unread, err);
    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            items,
            json_pack("{s:I,s:s,s:o,s:o,s:o,s:o}", "id", (json_int_t)m[i].id,
                      "kind", m[i].kind, "case_id",
                      m[i].case_id ? json_integer(m[i].case_id) : json_null(),
                      "case_title",
                      m[i].case_title ? json_string(m[i].case_title)
                                      : json_null(),
                      "at", api_time_json(m[i].at), "read_at",
                      api_time_json(m[i].read_at)));
    http_resp_json(resp, 200,
                   json_pack("{s:o,s:I,s:o}", "items", items, "unread",
                             (json_int_t)unread, "next",
                             n == 50 ? json_integer(m[n - 1].id)
                                     : json_null()));
    return 0;
}

int
api_me_notifications_read(struct http_req *req, struct http_resp *resp,
                          struct gg_err *err)
{
    static const char *const keys[] = {"id", "up_to", NULL};
    int64_t id = 0, up_to = 0, changed = 0;
    int rc = gg_json_only_keys(req->json, keys, err);

    if (!rc)
        rc = api_json_int(req->json, "id", 1, INT64_MAX, 0, &id, err);
    if (!rc)
        rc = api_json_int(req->json, "up_to", 1, INT64_MAX, 0, &up_to, err);
    if (!rc && !id == !up_to)
        rc = gg_fail(err, GG_EINVAL, "id", MSG_FIELD_REQUIRED);
    if (!rc)
        rc = store_notifications_read(api_store(req),
                                      api_who(req)->account_id,
                                      id ? id : -up_to, gg_now_s(), &changed,
                                      err);
    if (rc)
        return rc;
    http_resp_json(resp, 200,
                   json_pack("{s:I}", "changed", (json_int_t)changed));
    return 0;
}
