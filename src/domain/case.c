#include "core/gg.h"
#include "core/gg_buf.h"
#include "core/gg_log.h"
#include "core/gg_time.h"
#include "domain/case.h"
#include "domain/pii.h"
#include "domain/registry.h"

#include <math.h>
#include <time.h>

/* ---- names and the flow table ---- */

struct case_name {
    const char *name, *zh;
};

static const struct case_name family_names[CF__COUNT] = {
#define CASE_FAMILY(id, name, zh) [CF_##id] = {name, zh},
#include "domain/case_names.def"
#undef CASE_FAMILY
};
static const struct case_name state_names[CS__COUNT] = {
#define CASE_STATE(id, name, zh) [CS_##id] = {name, zh},
#include "domain/case_names.def"
#undef CASE_STATE
};
static const struct case_name action_names[CA__COUNT] = {
#define CASE_ACTION(id, name, zh) [CA_##id] = {name, zh},
#include "domain/case_names.def"
#undef CASE_ACTION
};

#define CS_SAME CS__COUNT
static const struct case_flow flows[] = {
#define FLOW(fam, st, act, next, who, need)                                   \
    {CF_##fam, CS_##st, CA_##act, CS_##next, (who), (need)},
#include "domain/case_flow.def"
#undef FLOW
};

const struct case_flow *
case_flows(size_t *n)
{
    *n = GG_ARRAY_LEN(flows);
    return flows;
}

const struct case_flow *
case_flow_find(enum case_family f, enum case_state from, enum case_action a)
{
    for (size_t i = 0; i < GG_ARRAY_LEN(flows); i++)
        if (flows[i].family == f && flows[i].from == from &&
            flows[i].action == a)
            return &flows[i];
    return NULL;
}

#define NAME_FNS(kind, type, table, count)                                    \
    const char *case_##kind##_name(type v)                                    \
    {                                                                         \
        return (unsigned)v < (count) ? table[v].name : "";                    \
    }                                                                         \
    const char *case_##kind##_zh(type v)                                      \
    {                                                                         \
        return (unsigned)v < (count) ? table[v].zh : "";                      \
    }                                                                         \
    int case_##kind##_parse(const char *s, type *out)                         \
    {                                                                         \
        for (unsigned i = 0; s && i < (count); i++)                           \
            if (!strcmp(table[i].name, s)) {                                  \
                *out = (type)i;                                               \
                return 0;                                                     \
            }                                                                 \
        return GG_EINVAL;                                                     \
    }
NAME_FNS(family, enum case_family, family_names, CF__COUNT)
NAME_FNS(state, enum case_state, state_names, CS__COUNT)
NAME_FNS(action, enum case_action, action_names, CA__COUNT)
#undef NAME_FNS

const char *
case_categories(enum case_family f)
{
    static const char *const lists[CF__COUNT] = {
        [CF_ISSUE] = CASE_ISSUE_CATEGORIES,
        [CF_DISPUTE] = CASE_DISPUTE_CATEGORIES,
        [CF_HAZARD] = CASE_HAZARD_CATEGORIES,
        [CF_SERVICE] = CASE_SERVICE_CATEGORIES,
    };
    return (unsigned)f < CF__COUNT ? lists[f] : "";
}

static const struct case_point_rule point_rules[] = {
    {"on_time", 2, "按期办结"},
    {"late", -1, "超期办结"},
    {"self_found", 1, "自行发现并办结"},
    {"praised", 1, "居民好评（5 星）"},
    {"complained", -2, "居民差评（1–2 星）"},
    {"reworked", -1, "核查不通过，退回返工"},
};
enum { PR_ON_TIME, PR_LATE, PR_SELF_FOUND, PR_PRAISED, PR_COMPLAINED,
       PR_REWORKED };

const struct case_point_rule *
case_point_rules(size_t *n)
{
    *n = GG_ARRAY_LEN(point_rules);
    return point_rules;
}

static enum case_state
state_of(const struct store_case *c)
{
    enum case_state s = CS_REPORTED;
    if (case_state_parse(c->state, &s))
        gg_log(GG_LOG_WARN, "case", "op=state id=%" PRId64 " unknown=1",
               c->id);
    return s;
}

static enum case_family
family_of(const struct store_case *c)
{
    enum case_family f = CF_ISSUE;
    if (case_family_parse(c->family, &f))
        gg_log(GG_LOG_WARN, "case", "op=family id=%" PRId64 " unknown=1",
               c->id);
    return f;
}

static int
is_open(enum case_state s)
{
    return s != CS_CLOSED && s != CS_REJECTED && s != CS_WITHDRAWN &&
           s != CS_MERGED;
}

/* The grid a node lies in (its first 15 digits), for the grid chief. */
static const char *
grid_of(struct gg_arena *a, const char *node)
{
    return strlen(node) > 15 ? gg_arena_strndup(a, node, 15) : node;
}

static int
prefix_of(const char *prefix, const char *code)
{
    return !strncmp(code, prefix, strlen(prefix));
}

/* ---- who may do what ---- */

int
case_visible(const struct case_env *env, const struct account_who *who,
             const struct store_case *c, unsigned *who_bits,
             struct gg_err *err)
{
    const struct account_ctx *ctx = env->ctx;
    unsigned bits = 0;
    int64_t depts[32];
    size_t n_depts = 0;
    int rc;

    for (size_t i = 0; i < who->n_roles; i++) {
        const struct store_role *r = &who->roles[i];
        unsigned caps = role_caps(r->role);
        if (!prefix_of(r->node_code, c->node_code))
            continue;
        if (caps & (1u << CAP_CASE_HANDLE)) {
            bits |= W_STAFF;
            if (prefix_of(r->node_code, c->level_code))
                bits |= W_HOLDER;
        }
        if (caps & (1u << CAP_CASE_SUMMON))
            bits |= W_SUMMONER;
    }
    if (c->reporter_id && c->reporter_id == who->account_id)
        bits |= W_REPORTER;
    rc = store_account_departments(ctx->s, who->account_id, depts, &n_depts,
                                   err);
    if (rc)
        return rc;
    if (c->assignee_kind && !strcmp(c->assignee_kind, "account") &&
        c->assignee_id == who->account_id)
        bits |= W_ASSIGNEE;
    for (size_t i = 0; i < n_depts; i++)
        if (c->assignee_kind && !strcmp(c->assignee_kind, "department") &&
            c->assignee_id == depts[i])
            bits |= W_ASSIGNEE;
    if (c->assignee_kind && !strcmp(c->assignee_kind, "post")) {
        const char *posts[32];
        size_t n_posts = 0;
        const char *want = gg_arena_printf(ctx->a, "%s@%s", c->assignee_post,
                                           grid_of(ctx->a, c->node_code));
        rc = store_account_posts(ctx->s, who->account_id, ctx->a, posts,
                                 &n_posts, err);
        if (rc)
            return rc;
        for (size_t i = 0; i < n_posts; i++)
            if (!strcmp(posts[i], want))
                bits |= W_ASSIGNEE;
    }
    if (n_depts) {
        struct store_summons *m;
        size_t n = 0;
        int seen = 0;
        rc = store_summons_list(ctx->s, c->id, ctx->a, &m, &n, err);
        if (rc)
            return rc;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < n_depts; k++)
                if (m[i].department_id == depts[k]) {
                    seen = 1;
                    if (!m[i].reported_at)
                        bits |= W_SUMMONED;
                }
        if (seen)
            bits |= 1u << 30; /* sees it as a summoned department */
    }
    *who_bits = bits;
    if (!bits)
        return gg_fail(err, GG_ENOTFOUND, "", MSG_NOT_FOUND);
    return 0;
}

size_t
case_actions_for(const struct store_case *c, unsigned who_bits,
                 enum case_action *out)
{
    enum case_family f = family_of(c);
    enum case_state s = state_of(c);
    size_t n = 0;

    for (size_t i = 0; i < GG_ARRAY_LEN(flows); i++)
        if (flows[i].family == f && flows[i].from == s &&
            (flows[i].who & who_bits) &&
            !(flows[i].action == CA_RATE && c->rating)) /* rated once */
            out[n++] = flows[i].action;
    return n;
}

/* The actions of the case's state, for a 409 ("accept, reject ..."). */
static const char *
actions_text(struct gg_arena *a, enum case_family f, enum case_state s)
{
    struct gg_buf b;
    const char *out;

    gg_buf_init(&b, 4096);
    for (size_t i = 0; i < GG_ARRAY_LEN(flows); i++)
        if (flows[i].family == f && flows[i].from == s)
            if (gg_buf_addf(&b, "%s%s", b.len ? ", " : "",
                            action_names[flows[i].action].name))
                break;
    out = gg_arena_strndup(a, b.len ? b.data : "-", b.len ? b.len : 1);
    gg_buf_release(&b);
    return out;
}

/* ---- deadlines ---- */

/* A local day number as YYYY-MM-DD. */
static void
day_text(int32_t day, char out[16])
{
    time_t t = (time_t)day * 86400;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

int
case_calendar_load(struct case_env *env, int64_t from, int64_t to,
                   struct gg_err *err)
{
    const struct account_ctx *ctx = env->ctx;
    struct store_calendar_day *days;
    struct gg_workcal_day *out;
    char a[16], b[16];
    size_t n = 0;
    int32_t d0 = gg_workcal_day_of(&env->cal, from);
    int32_t d1 = gg_workcal_day_of(&env->cal, to);
    int rc;

    day_text(d0, a);
    day_text(d1, b);
    rc = store_calendar_list(ctx->s, a, b, ctx->a, &days, &n, err);
    if (rc)
        return rc;
    out = gg_arena_alloc(ctx->a, (n + 1) * sizeof(*out));
    env->cal.n_days = 0;
    for (size_t i = 0; i < n; i++) {
        struct gg_workcal_day *d = &out[env->cal.n_days];
        /* The store keeps them sorted; a row that is not a day is left
         * out rather than break the order the lookups rely on. */
        if (gg_workcal_day_parse(days[i].day, "day", &d->day, NULL))
            continue;
        d->work = days[i].work;
        env->cal.n_days++;
    }
    env->cal.days = out;
    return 0;
}

/* start + minutes on the rule's clock. */
static int64_t
clock_add(const struct case_env *env, const struct store_case_rule *r,
          int64_t start, int64_t minutes)
{
    int64_t t;

    if (!strcmp(r->clock, "clock"))
        return start + minutes * 60;
    t = gg_workcal_add(&env->cal, start, minutes * 60);
    return t ? t : start + minutes * 60; /* no working time at all */
}

int
case_deadlines(const struct case_env *env, struct store_case *c,
               struct gg_err *err)
{
    const struct account_ctx *ctx = env->ctx;
    struct store_case_rule *r;
    struct case_env e = *env;
    int rc = store_case_rule_get(ctx->s, c->family, c->category, c->urgency,
                                 ctx->a, &r, err);

    if (rc == GG_ENOTFOUND) {
        c->response_due = c->resolve_due = 0;
        c->response_yellow = c->resolve_yellow = 0;
        return 0;
    }
    if (rc)
        return rc;
    /* The exceptions of the year ahead are enough for any rule. */
    rc = case_calendar_load(&e, c->reported_at,
                            c->reported_at + 400 * 86400, err);
    if (rc)
        return rc;
    c->response_yellow = clock_add(&e, r, c->reported_at,
                                   (r->response_min * 3 + 3) / 4);
    c->response_due = clock_add(&e, r, c->reported_at, r->response_min);
    c->resolve_yellow = clock_add(&e, r, c->reported_at,
                                  (r->resolve_min * 3 + 3) / 4);
    c->resolve_due = clock_add(&e, r, c->reported_at, r->resolve_min);
    return 0;
}

/* The clock that runs now: response until accepted, then resolution. */
static void
clock_now(const struct store_case *c, int64_t *yellow, int64_t *due)
{
    if (!c->accepted_at) {
        *yellow = c->response_yellow;
        *due = c->response_due;
    } else {
        *yellow = c->resolve_yellow;
        *due = c->resolve_due;
    }
}

/* Sets alert and next_alert_at for now. */
static void
alert_update(struct store_case *c, int64_t now)
{
    int64_t yellow, due;

    if (!is_open(state_of(c))) {
        c->next_alert_at = 0;
        return;
    }
    clock_now(c, &yellow, &due);
    if (!due) {
        c->alert = 0;
        c->next_alert_at = 0;
    } else if (now >= due) {
        c->alert = 2;
        c->next_alert_at = 0;
    } else if (yellow && now >= yellow) {
        c->alert = 1;
        c->next_alert_at = due;
    } else {
        c->alert = 0;
        c->next_alert_at = yellow ? yellow : due;
    }
}

/* ---- notifications and points ---- */

static void
event_add(struct case_result *res, int64_t account, int64_t note_id,
          const char *kind, int64_t case_id)
{
    struct case_event *e;

    if (res->n_events >= CASE_EVENTS_MAX)
        return;
    e = &res->events[res->n_events++];
    e->account_id = account;
    e->notification_id = note_id;
    e->kind = kind;
    e->case_id = case_id;
}

static int
notify_one(const struct case_env *env, struct case_result *res,
           int64_t account, const char *kind, const struct store_case *c,
           struct gg_err *err)
{
    struct store_notification m = {0};
    int64_t id = 0;
    int rc;

    /* Never twice for the same event in one action. */
    for (size_t i = 0; i < res->n_events; i++)
        if (res->events[i].account_id == account &&
            !strcmp(res->events[i].kind, kind) &&
            res->events[i].case_id == c->id)
            return 0;
    m.account_id = account;
    m.at = env->ctx->now;
    m.kind = kind;
    m.case_id = c->id;
    rc = store_notification_add(env->ctx->s, &m, &id, err);
    if (!rc)
        event_add(res, account, id, kind, c->id);
    return rc;
}

static int
notify_ids(const struct case_env *env, struct case_result *res,
           const int64_t *ids, size_t n, const char *kind,
           const struct store_case *c, struct gg_err *err)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < n; i++)
        rc = notify_one(env, res, ids[i], kind, c, err);
    return rc;
}

/* The grid chiefs of the case's grid. */
static int
notify_chiefs(const struct case_env *env, struct case_result *res,
              const char *kind, const struct store_case *c,
              struct gg_err *err)
{
    int64_t ids[32];
    size_t n = 0;
    int rc = store_post_accounts(env->ctx->s,
                                 grid_of(env->ctx->a, c->node_code),
                                 "grid_chief", ids, &n, err);
    return rc ? rc : notify_ids(env, res, ids, n, kind, c, err);
}

/* Whoever the case is dispatched to. */
static int
notify_assignee(const struct case_env *env, struct case_result *res,
                const char *kind, const struct store_case *c,
                struct gg_err *err)
{
    int64_t ids[32];
    size_t n = 0;
    int rc = 0;

    if (!c->assignee_kind)
        return 0;
    if (!strcmp(c->assignee_kind, "account")) {
        ids[n++] = c->assignee_id;
    } else if (!strcmp(c->assignee_kind, "post")) {
        rc = store_post_accounts(env->ctx->s,
                                 grid_of(env->ctx->a, c->node_code),
                                 c->assignee_post, ids, &n, err);
    } else if (!strcmp(c->assignee_kind, "department")) {
        struct store_count *m;
        size_t k = 0;
        rc = store_department_members(env->ctx->s, c->assignee_id,
                                      env->ctx->a, &m, &k, err);
        for (size_t i = 0; !rc && i < k && n < 32; i++)
            ids[n++] = m[i].count;
    }
    return rc ? rc : notify_ids(env, res, ids, n, kind, c, err);
}

static int
points_give(const struct case_env *env, const struct store_case *c,
            int64_t account, int rule, struct gg_err *err)
{
    struct store_points p = {0};

    if (!account)
        return 0;
    p.at = env->ctx->now;
    p.account_id = account;
    p.node_code = c->node_code;
    p.case_id = c->id;
    p.points = point_rules[rule].points;
    p.reason = point_rules[rule].reason;
    return store_points_add(env->ctx->s, &p, err);
}

/* ---- the log ---- */

static int
log_add(const struct case_env *env, const struct account_who *who,
        const struct store_case *c, const char *action, const char *from,
        const char *note, const char *detail, const struct case_input *in,
        struct gg_err *err)
{
    struct store_case_log l = {0};
    int64_t log_id = 0;
    int rc;

    l.case_id = c->id;
    l.at = env->ctx->now;
    l.actor_id = who ? who->account_id : 0;
    l.action = action;
    l.from_state = from;
    l.to_state = c->state;
    l.note = note;
    l.detail = detail;
    rc = store_case_log_add(env->ctx->s, &l, &log_id, err);
    for (size_t i = 0; !rc && in && i < in->n_photos; i++) {
        struct store_photo *p;
        if (store_photo_get(env->ctx->s, in->photos[i], env->ctx->a, &p,
                            NULL))
            return gg_fail(err, GG_EINVAL, "photos", MSG_PHOTO_UNKNOWN);
        rc = store_case_photo_add(env->ctx->s, c->id, log_id, in->photos[i],
                                  err);
    }
    return rc;
}

/* ---- transactions ---- */

static int
tx_begin(const struct case_env *env, struct gg_err *err)
{
    return env->ctx->in_tx ? 0 : store_begin(env->ctx->s, err);
}

static int
tx_end(const struct case_env *env, int rc, struct gg_err *err)
{
    if (env->ctx->in_tx)
        return rc;
    if (!rc)
        rc = store_commit(env->ctx->s, err);
    if (rc && store_rollback(env->ctx->s, NULL))
        gg_log(GG_LOG_ERROR, "case", "op=rollback failed=1");
    return rc;
}

/* ---- report ---- */

static int
check_choice(const char *choices, const char *field, const char *text,
             struct gg_arena *a, const char **out, struct gg_err *err)
{
    *out = text ? registry_choice_code(choices, text, a) : NULL;
    if (!*out)
        return gg_failf(err, GG_EINVAL, field, MSG_FIELD_CHOICE, "%s",
                        choices);
    return 0;
}

/* Open cases of the same family and category within 50 m and 24 h. */
static int
suggest_duplicates(const struct case_env *env, const struct store_case *c,
                   struct case_result *res, struct gg_err *err)
{
    const double r_m = 50.0;
    double dlat = r_m / 111320.0;
    double dlon = r_m / (111320.0 * cos(c->lat * M_PI / 180.0));
    double box[4] = {c->lon - dlon, c->lat - dlat, c->lon + dlon,
                     c->lat + dlat};
    struct store_case *near;
    size_t n = 0;
    int rc;

    if (!c->has_point)
        return 0;
    rc = store_case_nearby(env->ctx->s, c->family, c->category, box,
                           c->reported_at - 86400, c->id, env->ctx->a, &near,
                           &n, err);
    for (size_t i = 0; !rc && i < n && res->n_duplicates < 8; i++) {
        double x = (near[i].lon - c->lon) * 111320.0 *
                   cos(c->lat * M_PI / 180.0);
        double y = (near[i].lat - c->lat) * 111320.0;
        if (sqrt(x * x + y * y) <= r_m)
            res->duplicates[res->n_duplicates++] = near[i].id;
    }
    return rc;
}

/* The family's own fields of a report. */
static int
report_family(const struct case_env *env, const struct account_who *who,
              const struct case_input *in, struct store_case *c,
              json_t *extra, struct gg_err *err)
{
    const struct account_ctx *ctx = env->ctx;
    struct store_scope all = {NULL, 0};
    struct store_record *r;
    const char *root = "";

    (void)who;
    all.prefixes = &root;
    all.n = 1;
    switch (in->family) {
    case CF_DISPUTE: {
        json_t *p = in->parties ? json_loads(in->parties, 0, NULL) : NULL;
        if (!json_is_array(p) || json_array_size(p) < 2) {
            json_decref(p);
            return gg_fail(err, GG_EINVAL, "parties", MSG_CASE_PARTIES);
        }
        json_object_set_new(extra, "parties", p);
        return 0;
    }
    case CF_HAZARD:
        if (!in->building_id && !in->org_id)
            return gg_fail(err, GG_EINVAL, "building_id",
                           MSG_CASE_HAZARD_PLACE);
        break;
    case CF_SERVICE:
        if (!in->service_id)
            return gg_fail(err, GG_EINVAL, "service_id", MSG_FIELD_REQUIRED);
        if (store_record_get(ctx->s, STORE_KIND_SERVICE, &all, in->service_id,
                             ctx->a, &r, NULL) ||
            !r->v[STORE_F_SERVICE_active].i ||
            !prefix_of(r->node_code, c->node_code))
            return gg_fail(err, GG_EINVAL, "service_id", MSG_CASE_SERVICE);
        /* The catalogue's category; the provider is the default assignee
         * when the community dispatches. */
        c->category = r->v[STORE_F_SERVICE_category].s;
        c->service_id = in->service_id;
        if (r->v[STORE_F_SERVICE_provider_id].set)
            json_object_set_new(extra, "provider_id",
                                json_integer(
                                    r->v[STORE_F_SERVICE_provider_id].i));
        return 0;
    default:
        break;
    }
    if (in->building_id) {
        if (store_record_get(ctx->s, STORE_KIND_BUILDING, &all,
                             in->building_id, ctx->a, &r, NULL) ||
            !prefix_of(grid_of(ctx->a, r->node_code), c->node_code))
            return gg_fail(err, GG_EINVAL, "building_id", MSG_CASE_ELSEWHERE);
        c->building_id = in->building_id;
    }
    if (in->org_id) {
        if (store_record_get(ctx->s, STORE_KIND_ORG, &all, in->org_id, ctx->a,
                             &r, NULL) ||
            !prefix_of(grid_of(ctx->a, r->node_code), c->node_code))
            return gg_fail(err, GG_EINVAL, "org_id", MSG_CASE_ELSEWHERE);
        c->org_id = in->org_id;
    }
    return 0;
}

static char *
json_text(struct gg_arena *a, json_t *j)
{
    char *t = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    char *out = t ? gg_arena_strdup(a, t) : gg_arena_strdup(a, "{}");
    free(t);
    return out;
}

int
case_report(const struct case_env *env, const struct account_who *who,
            const struct case_input *in, const char *grid,
            struct case_result *res, struct gg_err *err)
{
    const struct account_ctx *ctx = env->ctx;
    struct store_case *c = gg_arena_alloc(ctx->a, sizeof(*c));
    struct store_node *node;
    struct store_scope all = {NULL, 0};
    const char *root = "";
    json_t *extra = json_object();
    int rc;

    memset(res, 0, sizeof(*res));
    memset(c, 0, sizeof(*c));
    all.prefixes = &root;
    all.n = 1;
    c->family = case_family_name(in->family);
    c->urgency = in->urgency ? in->urgency : 1;
    c->title = in->title;
    c->description = in->description;
    c->address = in->address;
    c->reporter_id = who->account_id;
    c->reported_at = c->updated_at = ctx->now;
    c->state = case_state_name(CS_REPORTED);
    c->extra = "{}";
    rc = check_choice(CASE_SOURCES, "source", in->source ? in->source
                                                          : "resident",
                      ctx->a, &c->source, err);
    if (!rc && in->family != CF_SERVICE)
        rc = check_choice(case_categories(in->family), "category",
                          in->category, ctx->a, &c->category, err);
    if (rc)
        goto out;
    /* Where: the point's grid, or the node named (which must then hold
     * the point's grid, if any). */
    c->has_point = in->has_point;
    c->lon = in->lon;
    c->lat = in->lat;
    if (in->node_code) {
        if (store_node_get(ctx->s, &all, in->node_code, ctx->a, &node, NULL) ||
            node->level < NODE_COMMUNITY) {
            rc = gg_failf(err, GG_EINVAL, "node_code", MSG_NODE_NOT_FOUND,
                          "%s", in->node_code);
            goto out;
        }
        if (grid && !prefix_of(grid, in->node_code) &&
            !prefix_of(in->node_code, grid)) {
            rc = gg_failf(err, GG_EINVAL, "lon", MSG_LOCATION_ELSEWHERE,
                          "%s", grid);
            goto out;
        }
        c->node_code = prefix_of(in->node_code, grid ? grid : "")
                           && grid ? grid : in->node_code;
    } else if (grid) {
        c->node_code = grid;
    } else {
        rc = gg_fail(err, GG_EINVAL, in->has_point ? "lon" : "node_code",
                     in->has_point ? MSG_LOCATION_NO_GRID
                                   : MSG_FIELD_REQUIRED);
        goto out;
    }
    c->level_code = grid_of(ctx->a, c->node_code);
    if (in->contact_phone && *in->contact_phone) {
        rc = pii_phone_check(in->contact_phone, "contact_phone", err);
        if (rc)
            goto out;
        pii_seal(ctx->keys, PII_PHONE, in->contact_phone, ctx->a, &c->contact);
    }
    c->contact_name = in->contact_name;
    rc = report_family(env, who, in, c, extra, err);
    if (rc)
        goto out;
    c->extra = json_text(ctx->a, extra);
    rc = case_deadlines(env, c, err);
    if (rc)
        goto out;
    alert_update(c, ctx->now);
    rc = tx_begin(env, err);
    if (rc)
        goto out;
    rc = store_case_insert(ctx->s, c, &c->id, err);
    if (!rc)
        rc = log_add(env, who, c, "report", NULL, in->description, NULL, in,
                     err);
    if (!rc)
        rc = suggest_duplicates(env, c, res, err);
    if (!rc)
        rc = notify_chiefs(env, res, "case.reported", c, err);
    rc = tx_end(env, rc, err);
    if (!rc)
        rc = store_case_get(ctx->s, c->id, ctx->a, &res->c, err);
    if (!rc)
        event_add(res, 0, 0, "case.changed", c->id);
out:
    json_decref(extra);
    return rc;
}

/* ---- actions ---- */

static int
need_check(const struct case_flow *fl, const struct case_input *in,
           struct gg_err *err)
{
    static const struct {
        unsigned bit;
        const char *field;
    } needs[] = {
        {N_NOTE, "note"},           {N_ASSIGNEE, "assignee"},
        {N_RATING, "rating"},       {N_OUTCOME, "outcome"},
        {N_DEADLINE, "deadline"},   {N_DEPARTMENTS, "departments"},
        {N_DUPLICATE, "duplicate_of"}, {N_PHOTOS, "photos"},
    };
    for (size_t i = 0; i < GG_ARRAY_LEN(needs); i++) {
        int have;
        if (!(fl->need & needs[i].bit))
            continue;
        switch (needs[i].bit) {
        case N_NOTE: have = in->note && *in->note; break;
        case N_ASSIGNEE: have = in->assignee_kind != NULL; break;
        case N_RATING: have = in->rating > 0; break;
        case N_OUTCOME: have = in->outcome != NULL; break;
        case N_DEADLINE: have = in->deadline != NULL; break;
        case N_DEPARTMENTS: have = in->n_departments > 0; break;
        case N_DUPLICATE: have = in->duplicate_of > 0; break;
        default: have = in->n_photos > 0; break;
        }
        if (!have)
            return gg_fail(err, GG_EINVAL, needs[i].field,
                           MSG_FIELD_REQUIRED);
    }
    return 0;
}

/* Whether a node lies in the district of code (or above it). */
static int
same_district(const char *node, const char *code)
{
    size_t len = strlen(node) < 6 ? strlen(node) : 6;
    return !strncmp(node, code, len);
}

/* Checks and sets the assignee an action names. */
static int
assign(const struct case_env *env, const struct case_input *in,
       struct store_case *c, struct gg_err *err)
{
    const struct account_ctx *ctx = env->ctx;
    struct store_scope all = {NULL, 0};
    const char *root = "";
    struct store_record *r;
    struct store_account *acct;

    all.prefixes = &root;
    all.n = 1;
    if (!strcmp(in->assignee_kind, "account")) {
        struct store_role *roles;
        size_t n = 0;
        int near = 0;
        /* Someone who works in the case's district: a role there, or a
         * department of it. */
        if (store_account_by_id(ctx->s, in->assignee_id, ctx->a, &acct,
                                NULL) ||
            acct->disabled ||
            store_account_roles(ctx->s, acct->id, ctx->a, &roles, &n, NULL))
            return gg_fail(err, GG_EINVAL, "assignee", MSG_CASE_ASSIGNEE);
        for (size_t i = 0; i < n; i++)
            near |= same_district(roles[i].node_code, c->node_code);
        if (!near) {
            int64_t depts[32];
            size_t nd = 0;
            if (store_account_departments(ctx->s, acct->id, depts, &nd, err))
                return err->code;
            for (size_t i = 0; i < nd && !near; i++)
                near = !store_record_get(ctx->s, STORE_KIND_DEPARTMENT, &all,
                                         depts[i], ctx->a, &r, NULL) &&
                       same_district(r->node_code, c->node_code);
        }
        if (!near)
            return gg_fail(err, GG_EINVAL, "assignee", MSG_CASE_ASSIGNEE);
    } else if (!strcmp(in->assignee_kind, "post")) {
        int64_t ids[32];
        size_t n = 0;
        int rc = store_post_accounts(ctx->s, grid_of(ctx->a, c->node_code),
                                     in->assignee_post, ids, &n, err);
        if (rc)
            return rc;
        if (!n)
            return gg_fail(err, GG_EINVAL, "assignee", MSG_CASE_POST_EMPTY);
    } else if (!strcmp(in->assignee_kind, "department")) {
        if (store_record_get(ctx->s, STORE_KIND_DEPARTMENT, &all,
                             in->assignee_id, ctx->a, &r, NULL) ||
            !prefix_of(r->node_code, c->node_code))
            return gg_fail(err, GG_EINVAL, "assignee", MSG_CASE_ASSIGNEE);
    } else {
        if (store_record_get(ctx->s, STORE_KIND_ORG, &all, in->assignee_id,
                             ctx->a, &r, NULL) ||
            !same_district(r->node_code, c->node_code))
            return gg_fail(err, GG_EINVAL, "assignee", MSG_CASE_ASSIGNEE);
    }
    c->assignee_kind = in->assignee_kind;
    c->assignee_id = strcmp(in->assignee_kind, "post") ? in->assignee_id : 0;
    c->assignee_post = strcmp(in->assignee_kind, "post") ? NULL
                                                          : in->assignee_post;
    c->dispatched_at = ctx->now;
    return 0;
}

/* The node above the level that holds the case (grid -> community ->
 * street -> district); NULL at the top. */
static const char *
level_up(struct gg_arena *a, const char *code)
{
    static const size_t lens[] = {6, 9, 12, 15};
    size_t len = strlen(code);

    for (size_t i = GG_ARRAY_LEN(lens); i-- > 0;)
        if (lens[i] < len)
            return gg_arena_strndup(a, code, lens[i]);
    return NULL;
}

static int
summons_all_reported(const struct case_env *env, const struct store_case *c,
                     const char **missing, struct gg_err *err)
{
    struct store_summons *m;
    size_t n = 0;
    int rc = store_summons_list(env->ctx->s, c->id, env->ctx->a, &m, &n, err);

    *missing = NULL;
    for (size_t i = 0; !rc && i < n; i++)
        if (!m[i].reported_at) {
            *missing = m[i].department;
            break;
        }
    return rc;
}

/* The summons of who's departments on c: check in or report. */
static int
summons_update(const struct case_env *env, const struct account_who *who,
               const struct store_case *c, int report, const char *note,
               struct gg_err *err)
{
    const struct account_ctx *ctx = env->ctx;
    struct store_summons *m;
    int64_t depts[32];
    size_t n = 0, nd = 0, done = 0;
    int rc = store_account_departments(ctx->s, who->account_id, depts, &nd,
                                       err);

    if (!rc)
        rc = store_summons_list(ctx->s, c->id, ctx->a, &m, &n, err);
    for (size_t i = 0; !rc && i < n; i++)
        for (size_t k = 0; !rc && k < nd; k++) {
            if (m[i].department_id != depts[k] || m[i].reported_at)
                continue;
            if (!m[i].acked_at)
                m[i].acked_at = ctx->now;
            if (report) {
                m[i].reported_at = ctx->now;
                m[i].report = note;
            }
            rc = store_summons_put(ctx->s, &m[i], err);
            done++;
        }
    if (!rc && !done)
        rc = gg_fail(err, GG_EFORBIDDEN, "", MSG_FORBIDDEN);
    return rc;
}

/* Whether the case's log holds an action already: a reopened case that
 * closes or is rated again gives its points only once. */
static int
log_has(const struct case_env *env, const struct store_case *c,
        const char *action, int *has, struct gg_err *err)
{
    struct store_case_log *l;
    size_t n = 0;
    int rc = store_case_log_list(env->ctx->s, c->id, env->ctx->a, &l, &n,
                                 err);

    *has = 0;
    for (size_t i = 0; !rc && i < n; i++)
        *has |= !strcmp(l[i].action, action);
    return rc;
}

/* What the action does beyond the state, before the case is written. */
static int
apply(const struct case_env *env, const struct account_who *who,
      const struct case_input *in, struct store_case *c, json_t *detail,
      struct case_result *res, struct gg_err *err)
{
    const struct account_ctx *ctx = env->ctx;
    int rc = 0;

    switch (in->action) {
    case CA_ACCEPT:
        c->accepted_at = ctx->now;
        if (in->deadline) {
            int32_t day;
            if (gg_workcal_day_parse(in->deadline, "deadline", &day, err))
                return err->code;
            if (gg_workcal_day_start(&env->cal, day + 1) <= ctx->now)
                return gg_fail(err, GG_EINVAL, "deadline", MSG_DATE_PAST);
            /* The rectification deadline is the day's end. */
            c->resolve_due = gg_workcal_day_start(&env->cal, day + 1) - 1;
            c->resolve_yellow =
                ctx->now + (c->resolve_due - ctx->now) * 3 / 4;
            json_object_set_new(detail, "deadline",
                                json_string(in->deadline));
        }
        break;
    case CA_REJECT:
        c->accepted_at = ctx->now;
        c->closed_at = ctx->now;
        break;
    case CA_WITHDRAW:
        c->closed_at = ctx->now;
        break;
    case CA_MERGE: {
        struct store_case *target;
        unsigned target_bits;
        /* Into a case who can see: one outside is as if it did not
         * exist. */
        if (in->duplicate_of == c->id ||
            store_case_get(ctx->s, in->duplicate_of, ctx->a, &target, NULL) ||
            case_visible(env, who, target, &target_bits, NULL) ||
            strcmp(target->family, c->family) ||
            !is_open(state_of(target)))
            return gg_fail(err, GG_EINVAL, "duplicate_of",
                           MSG_CASE_DUPLICATE);
        c->duplicate_of = in->duplicate_of;
        c->closed_at = ctx->now;
        json_object_set_new(detail, "duplicate_of",
                            json_integer(in->duplicate_of));
        break;
    }
    case CA_ESCALATE: {
        const char *up = level_up(ctx->a, c->level_code);
        if (!up)
            return gg_fail(err, GG_EINVAL, "", MSG_CASE_TOP_LEVEL);
        json_object_set_new(detail, "from_level",
                            json_string(c->level_code));
        json_object_set_new(detail, "to_level", json_string(up));
        c->level_code = up;
        if (state_of(c) != CS_REPORTED) {
            c->assignee_kind = NULL;
            c->assignee_id = 0;
            c->assignee_post = NULL;
        }
        break;
    }
    case CA_DISPATCH:
    case CA_REASSIGN:
        rc = assign(env, in, c, err);
        json_object_set_new(detail, "assignee_kind",
                            json_string(in->assignee_kind));
        if (in->assignee_post)
            json_object_set_new(detail, "assignee_post",
                                json_string(in->assignee_post));
        else
            json_object_set_new(detail, "assignee_id",
                                json_integer(in->assignee_id));
        if (!rc)
            rc = notify_assignee(env, res, "case.dispatched", c, err);
        break;
    case CA_START:
        break;
    case CA_REPORT_BACK:
        c->handled_at = ctx->now;
        c->handler_id = who->account_id;
        if (in->outcome) {
            const char *code;
            rc = check_choice(CASE_OUTCOMES, "outcome", in->outcome, ctx->a,
                              &code, err);
            if (rc)
                return rc;
            if ((!strcmp(code, "success") || !strcmp(code, "partial")) &&
                !in->agreement)
                return gg_fail(err, GG_EINVAL, "agreement",
                               MSG_FIELD_REQUIRED);
            c->outcome = code;
            json_object_set_new(detail, "outcome", json_string(code));
            if (in->agreement)
                json_object_set_new(detail, "agreement",
                                    json_string(in->agreement));
        }
        rc = notify_chiefs(env, res, "case.handled", c, err);
        break;
    case CA_PASS:
        if (c->handler_id == who->account_id)
            return gg_fail(err, GG_EFORBIDDEN, "", MSG_CASE_SELF_VERIFY);
        break;
    case CA_REWORK:
        c->rework_count++;
        c->handled_at = 0;
        rc = points_give(env, c, c->handler_id, PR_REWORKED, err);
        if (!rc)
            rc = notify_assignee(env, res, "case.rework", c, err);
        break;
    case CA_CLOSE: {
        const char *missing;
        int again = 0;
        rc = summons_all_reported(env, c, &missing, err);
        if (!rc)
            rc = log_has(env, c, "close", &again, err);
        if (rc)
            return rc;
        if (missing)
            return gg_failf(err, GG_ECONFLICT, "", MSG_CASE_SUMMONS_OPEN,
                            "%s", missing);
        c->closed_at = ctx->now;
        if (!again)
            rc = points_give(env, c, c->handler_id,
                             !c->resolve_due || ctx->now <= c->resolve_due
                                 ? PR_ON_TIME
                                 : PR_LATE,
                             err);
        if (!rc && !again && !strcmp(c->source, "patrol") &&
            c->reporter_id && c->reporter_id != c->handler_id)
            rc = points_give(env, c, c->reporter_id, PR_SELF_FOUND, err);
        if (!rc && c->reporter_id)
            rc = notify_one(env, res, c->reporter_id, "case.closed", c, err);
        break;
    }
    case CA_RATE: {
        int again = 0;
        if (c->rating)
            return gg_fail(err, GG_ECONFLICT, "rating", MSG_CASE_RATED);
        if (in->rating < 1 || in->rating > 5)
            return gg_failf(err, GG_EINVAL, "rating", MSG_FIELD_RANGE, "%s",
                            "1–5");
        c->rating = in->rating;
        c->rating_comment = in->note;
        c->rated_at = ctx->now;
        json_object_set_new(detail, "rating", json_integer(in->rating));
        rc = log_has(env, c, "rate", &again, err);
        if (!rc && !again && in->rating == 5)
            rc = points_give(env, c, c->handler_id, PR_PRAISED, err);
        else if (!rc && !again && in->rating <= 2)
            rc = points_give(env, c, c->handler_id, PR_COMPLAINED, err);
        break;
    }
    case CA_REOPEN:
        if (ctx->now - c->closed_at > (int64_t)env->reopen_days * 86400)
            return gg_failf(err, GG_ECONFLICT, "", MSG_CASE_REOPEN_LATE,
                            "%d", env->reopen_days);
        c->closed_at = 0;
        c->handled_at = 0;
        c->rating = 0;
        c->rating_comment = NULL;
        c->rated_at = 0;
        break;
    case CA_SUMMON: {
        struct store_scope all = {NULL, 0};
        const char *root = "";
        all.prefixes = &root;
        all.n = 1;
        struct store_summons *had;
        size_t n_had = 0;
        rc = store_summons_list(ctx->s, c->id, ctx->a, &had, &n_had, err);
        for (size_t i = 0; !rc && i < in->n_departments; i++) {
            struct store_record *d;
            struct store_summons m = {0};
            int again = 0;
            /* A department summoned before keeps its check-in and report. */
            for (size_t k = 0; k < n_had; k++)
                again |= had[k].department_id == in->departments[i];
            if (again)
                continue;
            int64_t ids[1];
            struct store_count *members;
            size_t nm = 0;
            if (store_record_get(ctx->s, STORE_KIND_DEPARTMENT, &all,
                                 in->departments[i], ctx->a, &d, NULL) ||
                !prefix_of(d->node_code, c->node_code))
                return gg_fail(err, GG_EINVAL, "departments",
                               MSG_CASE_ASSIGNEE);
            m.case_id = c->id;
            m.department_id = in->departments[i];
            m.summoned_at = ctx->now;
            m.summoned_by = who->account_id;
            rc = store_summons_put(ctx->s, &m, err);
            if (!rc)
                rc = store_department_members(ctx->s, d->id, ctx->a, &members,
                                              &nm, err);
            for (size_t k = 0; !rc && k < nm; k++) {
                ids[0] = members[k].count;
                rc = notify_ids(env, res, ids, 1, "case.summoned", c, err);
            }
        }
        json_object_set_new(detail, "departments", json_array());
        for (size_t i = 0; i < in->n_departments; i++)
            json_array_append_new(json_object_get(detail, "departments"),
                                  json_integer(in->departments[i]));
        break;
    }
    case CA_CHECK_IN:
        rc = summons_update(env, who, c, 0, NULL, err);
        break;
    case CA_DEPT_REPORT:
        rc = summons_update(env, who, c, 1, in->note, err);
        break;
    case CA_COMMENT:
    default:
        break;
    }
    return rc;
}

int
case_act(const struct case_env *env, const struct account_who *who,
         int64_t id, const struct case_input *in, struct case_result *res,
         struct gg_err *err)
{
    const struct account_ctx *ctx = env->ctx;
    const struct case_flow *fl;
    struct store_case *c;
    enum case_state from;
    unsigned bits = 0;
    json_t *detail = NULL;
    int rc;

    memset(res, 0, sizeof(*res));
    rc = tx_begin(env, err);
    if (rc)
        return rc;
    rc = store_case_get(ctx->s, id, ctx->a, &c, err);
    if (!rc)
        rc = case_visible(env, who, c, &bits, err);
    if (rc)
        goto out;
    from = state_of(c);
    fl = case_flow_find(family_of(c), from, in->action);
    if (!fl) {
        rc = gg_failf(err, GG_ECONFLICT, "action", MSG_CASE_ACTION_STATE,
                      "%s（%s）: %s", state_names[from].zh,
                      state_names[from].name,
                      actions_text(ctx->a, family_of(c), from));
        goto out;
    }
    if (!(fl->who & bits)) {
        rc = gg_fail(err, GG_EFORBIDDEN, "action", MSG_CASE_ACTION_WHO);
        goto out;
    }
    if (in->version && in->version != c->version) {
        rc = gg_fail(err, GG_ECONFLICT, "version", MSG_CONFLICT);
        goto out;
    }
    rc = need_check(fl, in, err);
    if (rc)
        goto out;
    detail = json_object();
    if (fl->to != CS_SAME)
        c->state = state_names[fl->to].name;
    rc = apply(env, who, in, c, detail, res, err);
    if (rc)
        goto out;
    c->updated_at = ctx->now;
    alert_update(c, ctx->now);
    rc = store_case_update(ctx->s, c, err);
    if (!rc)
        rc = log_add(env, who, c, action_names[in->action].name,
                     state_names[from].name, in->note,
                     json_object_size(detail) ? json_text(ctx->a, detail)
                                              : NULL,
                     in, err);
out:
    json_decref(detail);
    rc = tx_end(env, rc, err);
    if (!rc)
        rc = store_case_get(ctx->s, id, ctx->a, &res->c, err);
    if (!rc)
        event_add(res, 0, 0, "case.changed", id);
    return rc;
}

/* ---- the sweep ---- */

int
case_sweep(const struct case_env *env, int limit, size_t *marked,
           struct case_result *res, struct gg_err *err)
{
    const struct account_ctx *ctx = env->ctx;
    struct store_case *due;
    size_t n = 0;
    int rc;

    memset(res, 0, sizeof(*res));
    *marked = 0;
    rc = tx_begin(env, err);
    if (rc)
        return rc;
    rc = store_case_alerts_due(ctx->s, ctx->now, limit, ctx->a, &due, &n,
                               err);
    for (size_t i = 0; !rc && i < n; i++) {
        struct store_case *c = &due[i];
        int before = c->alert;
        alert_update(c, ctx->now);
        rc = store_case_alert_set(ctx->s, c->id, c->alert, c->next_alert_at,
                                  err);
        if (rc || c->alert <= before)
            continue;
        (*marked)++;
        /* Notifications for the first cases only; the rest see their
         * colour in their lists. */
        if (res->n_events + 8 < CASE_EVENTS_MAX) {
            const char *kind = c->alert == 2 ? "case.alert.red"
                                             : "case.alert.yellow";
            rc = notify_assignee(env, res, kind, c, err);
            if (!rc)
                rc = notify_chiefs(env, res, kind, c, err);
        } else {
            int64_t ids[32];
            size_t k = 0;
            rc = store_post_accounts(ctx->s, grid_of(ctx->a, c->node_code),
                                     "grid_chief", ids, &k, err);
            for (size_t j = 0; !rc && j < k; j++) {
                struct store_notification m = {0};
                m.account_id = ids[j];
                m.at = ctx->now;
                m.kind = c->alert == 2 ? "case.alert.red"
                                       : "case.alert.yellow";
                m.case_id = c->id;
                rc = store_notification_add(ctx->s, &m, NULL, err);
            }
        }
    }
    return tx_end(env, rc, err);
}

/* ---- JSON ---- */

static json_t *
time_json(int64_t t)
{
    char iso[GG_ISO_LEN];

    if (!t)
        return json_null();
    gg_time_iso(t * 1000, iso);
    return json_string(iso);
}

static json_t *
opt_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *
opt_id(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

/* The 闭环预警 timeline: 预警 (reported), 响应 (accepted), 应案
 * (dispatched / handled), 反馈 (closed), each with its time and due. */
static json_t *
timeline_json(const struct store_case *c)
{
    json_t *t = json_array();
    json_array_append_new(t, json_pack("{s:s,s:o,s:o}", "stage", "warning",
                                       "at", time_json(c->reported_at), "due",
                                       json_null()));
    json_array_append_new(t, json_pack("{s:s,s:o,s:o}", "stage", "response",
                                       "at", time_json(c->accepted_at), "due",
                                       time_json(c->response_due)));
    json_array_append_new(t, json_pack("{s:s,s:o,s:o}", "stage", "handling",
                                       "at", time_json(c->handled_at), "due",
                                       time_json(c->resolve_due)));
    json_array_append_new(t, json_pack("{s:s,s:o,s:o}", "stage", "feedback",
                                       "at", time_json(c->closed_at), "due",
                                       time_json(c->resolve_due)));
    return t;
}

json_t *
case_json(const struct store_case *c, unsigned who_bits, int64_t now)
{
    enum case_action acts[CA__COUNT];
    size_t n = case_actions_for(c, who_bits, acts);
    json_t *j = json_object(), *actions = json_array(), *extra;
    int64_t yellow, due;

    for (size_t i = 0; i < n; i++)
        json_array_append_new(actions, json_string(action_names[acts[i]].name));
    json_object_set_new(j, "id", json_integer(c->id));
    json_object_set_new(j, "version", json_integer(c->version));
    json_object_set_new(j, "family", json_string(c->family));
    json_object_set_new(j, "category", json_string(c->category));
    json_object_set_new(j, "source", json_string(c->source));
    json_object_set_new(j, "state", json_string(c->state));
    json_object_set_new(j, "urgency", json_integer(c->urgency));
    json_object_set_new(j, "title", json_string(c->title));
    json_object_set_new(j, "description", opt_str(c->description));
    json_object_set_new(j, "address", opt_str(c->address));
    json_object_set_new(j, "node_code", json_string(c->node_code));
    json_object_set_new(j, "node_name", opt_str(c->node_name));
    json_object_set_new(j, "level_code", json_string(c->level_code));
    json_object_set_new(j, "level_name", opt_str(c->level_name));
    json_object_set_new(j, "lon", c->has_point ? json_real(c->lon)
                                               : json_null());
    json_object_set_new(j, "lat", c->has_point ? json_real(c->lat)
                                               : json_null());
    json_object_set_new(j, "reporter_id", opt_id(c->reporter_id));
    json_object_set_new(j, "reporter", opt_str(c->reporter_name));
    json_object_set_new(j, "contact_name", opt_str(c->contact_name));
    json_object_set_new(j, "contact_phone", opt_str(c->contact.mask));
    json_object_set_new(j, "assignee_kind", opt_str(c->assignee_kind));
    json_object_set_new(j, "assignee_id", opt_id(c->assignee_id));
    json_object_set_new(j, "assignee_post", opt_str(c->assignee_post));
    json_object_set_new(j, "assignee", opt_str(c->assignee_name));
    json_object_set_new(j, "handler", opt_str(c->handler_name));
    json_object_set_new(j, "building_id", opt_id(c->building_id));
    json_object_set_new(j, "org_id", opt_id(c->org_id));
    json_object_set_new(j, "service_id", opt_id(c->service_id));
    json_object_set_new(j, "duplicate_of", opt_id(c->duplicate_of));
    json_object_set_new(j, "outcome", opt_str(c->outcome));
    extra = json_loads(c->extra ? c->extra : "{}", 0, NULL);
    json_object_set_new(j, "extra", extra ? extra : json_object());
    json_object_set_new(j, "rating", c->rating ? json_integer(c->rating)
                                               : json_null());
    json_object_set_new(j, "rating_comment", opt_str(c->rating_comment));
    json_object_set_new(j, "rework_count", json_integer(c->rework_count));
    json_object_set_new(j, "reported_at", time_json(c->reported_at));
    json_object_set_new(j, "accepted_at", time_json(c->accepted_at));
    json_object_set_new(j, "dispatched_at", time_json(c->dispatched_at));
    json_object_set_new(j, "handled_at", time_json(c->handled_at));
    json_object_set_new(j, "closed_at", time_json(c->closed_at));
    json_object_set_new(j, "response_due", time_json(c->response_due));
    json_object_set_new(j, "resolve_due", time_json(c->resolve_due));
    clock_now(c, &yellow, &due);
    json_object_set_new(j, "alert",
                        json_string(c->alert == 2   ? "red"
                                    : c->alert == 1 ? "yellow"
                                                    : "green"));
    json_object_set_new(j, "overdue",
                        json_boolean(is_open(state_of(c)) && due &&
                                     now > due));
    json_object_set_new(j, "timeline", timeline_json(c));
    json_object_set_new(j, "actions", actions);
    json_object_set_new(j, "updated_at", time_json(c->updated_at));
    return j;
}
