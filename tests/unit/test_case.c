/* test_case.c - the case engine on a real SQLite file: every (family,
 * state, action, who) triple of case_flow.def walked against the engine,
 * deadlines on the working calendar, and the sweep's marks. */
#include "unit.h"

#include "core/gg_crypto.h"
#include "core/gg_time.h"
#include "domain/case.h"
#include "store/store.h"

#include <unistd.h>

#define T0 1795833600 /* 2026-11-27 00:00 +08:00 (Friday) minus 8 h */
#define GRID "370902001007001"

struct fixture {
    char path[64];
    struct store *s;
    struct gg_arena *a;
    struct gg_keys keys;
    struct account_ctx ctx;
    struct case_env env;
    int64_t reporter, holder, assignee, summoned, street, stranger;
    int64_t dept;
    char photo[65];
};

static void
add_node(struct store *s, const char *code, const char *parent,
         enum store_node_level level, const char *name)
{
    struct store_node n = {0};
    struct gg_err err;
    n.code = code;
    n.parent_code = parent;
    n.level = level;
    n.name = name;
    assert_int_equal(store_node_insert(s, &n, T0, &err), 0);
}

static int64_t
add_account(struct store *s, const char *username)
{
    struct store_account a = {0};
    struct gg_err err;
    int64_t id = 0;
    a.username = username;
    a.display_name = username;
    a.password_hash = "x";
    a.home_node = "370902";
    assert_int_equal(store_account_insert(s, &a, T0, &id, &err), 0);
    return id;
}

static int
setup(void **state)
{
    struct fixture *f = gg_xcalloc(1, sizeof(*f));
    struct store_record d = {0};
    struct store_photo p = {0};
    struct gg_err err;
    int from, to, fd;

    snprintf(f->path, sizeof(f->path), "/tmp/gg_case_XXXXXX");
    fd = mkstemp(f->path);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(f->path);
    if (store_open(&f->s, f->path, STORE_OPEN_CREATE, NULL, &err) ||
        store_migrate(f->s, &from, &to, &err))
        return -1;
    f->a = gg_arena_new(1 << 16);
    gg_random_bytes(&f->keys, sizeof(f->keys));
    add_node(f->s, "370902", NULL, NODE_DISTRICT, "泰山区");
    add_node(f->s, "370902001", "370902", NODE_STREET, "岱庙街道");
    add_node(f->s, "370902001007", "370902001", NODE_COMMUNITY, "东湖社区");
    add_node(f->s, GRID, "370902001007", NODE_GRID, "东湖第一网格");
    f->reporter = add_account(f->s, "reporter");
    f->holder = add_account(f->s, "holder");
    f->assignee = add_account(f->s, "assignee");
    /* Dispatches go to people who work in the case's district. */
    if (store_role_grant(f->s, f->assignee, "grid_worker", GRID, T0, &err))
        return -1;
    f->summoned = add_account(f->s, "summoned");
    f->street = add_account(f->s, "street");
    f->stranger = add_account(f->s, "stranger");
    d.node_code = "370902";
    d.v[STORE_F_DEPARTMENT_name].set = 1;
    d.v[STORE_F_DEPARTMENT_name].s = "城管局";
    if (store_record_insert(f->s, STORE_KIND_DEPARTMENT, &d, T0, &f->dept,
                            &err) ||
        store_department_member_put(f->s, f->dept, f->summoned, T0, &err))
        return -1;
    memset(f->photo, 'a', 64);
    p.hash = f->photo;
    p.mime = "image/png";
    p.size = 100;
    p.width = p.height = 1;
    p.at = T0;
    if (store_photo_put(f->s, &p, &err))
        return -1;
    f->ctx.s = f->s;
    f->ctx.keys = &f->keys;
    f->ctx.a = f->a;
    f->ctx.now = T0 + 86400;
    f->env.ctx = &f->ctx;
    f->env.reopen_days = 7;
    f->env.cal.tz_min = 480;
    if (gg_workcal_hours(&f->env.cal, "08:30-12:00,14:00-17:30", &err))
        return -1;
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char path[80];

    store_close(&f->s);
    gg_arena_free(f->a);
    unlink(f->path);
    snprintf(path, sizeof(path), "%s-wal", f->path);
    unlink(path);
    snprintf(path, sizeof(path), "%s-shm", f->path);
    unlink(path);
    free(f);
    return 0;
}

/* The people the walk tries every action as. */
enum who_class { WC_REPORTER, WC_HOLDER, WC_ASSIGNEE, WC_SUMMONED, WC_STREET,
                 WC_STRANGER, WC__COUNT };

static void
who_of(struct fixture *f, enum who_class k, struct account_who *who,
       struct store_role *role)
{
    memset(who, 0, sizeof(*who));
    memset(role, 0, sizeof(*role));
    who->roles = role;
    switch (k) {
    case WC_REPORTER:
        who->account_id = f->reporter;
        role->role = "resident";
        role->node_code = GRID "001";
        who->n_roles = 1;
        break;
    case WC_HOLDER:
        who->account_id = f->holder;
        role->role = "grid_chief";
        role->node_code = GRID;
        who->n_roles = 1;
        break;
    case WC_ASSIGNEE:
        who->account_id = f->assignee;
        break;
    case WC_SUMMONED:
        who->account_id = f->summoned;
        role->role = "department_staff";
        role->node_code = "370902";
        who->n_roles = 1;
        break;
    case WC_STREET:
        who->account_id = f->street;
        role->role = "street_center";
        role->node_code = "370902001";
        who->n_roles = 1;
        break;
    default:
        who->account_id = f->stranger;
        role->role = "grid_chief";
        role->node_code = "370902001007002"; /* another grid */
        who->n_roles = 1;
        break;
    }
}

/* A case of family f in state s, set up so that every action the table
 * allows there can succeed. */
static int64_t
case_in(struct fixture *f, enum case_family fam, enum case_state s,
        enum case_action a)
{
    struct store_case c = {0};
    struct store_summons m = {0};
    struct gg_err err;
    int64_t id = 0;

    c.family = case_family_name(fam);
    c.category = fam == CF_ISSUE     ? "sanitation"
                 : fam == CF_DISPUTE ? "neighbourhood"
                 : fam == CF_HAZARD  ? "fire"
                                     : "meals";
    c.source = "resident";
    c.state = case_state_name(s);
    c.urgency = 1;
    c.title = "walk";
    c.node_code = GRID;
    c.level_code = GRID;
    c.reporter_id = f->reporter;
    c.extra = "{}";
    c.reported_at = c.updated_at = T0;
    if (s >= CS_DISPATCHED) {
        c.assignee_kind = "account";
        c.assignee_id = f->assignee;
    }
    if (s >= CS_HANDLED)
        c.handler_id = f->assignee;
    if (s >= CS_ACCEPTED)
        c.accepted_at = T0;
    if (s == CS_CLOSED)
        c.closed_at = T0 + 3600;
    assert_int_equal(store_case_insert(f->s, &c, &id, &err), 0);
    m.case_id = id;
    m.department_id = f->dept;
    m.summoned_at = T0;
    /* Close needs every summons answered; the department's own steps
     * need one open. */
    if (a == CA_CLOSE)
        m.acked_at = m.reported_at = T0;
    assert_int_equal(store_summons_put(f->s, &m, &err), 0);
    return id;
}

static size_t
log_count(struct fixture *f, int64_t id)
{
    struct store_case_log *l;
    size_t n = 0;
    struct gg_err err;
    assert_int_equal(store_case_log_list(f->s, id, f->a, &l, &n, &err), 0);
    return n;
}

static void
full_input(struct fixture *f, enum case_family fam, enum case_action a,
           int64_t target, struct case_input *in)
{
    memset(in, 0, sizeof(*in));
    in->action = a;
    in->note = "说明";
    in->assignee_kind = "account";
    in->assignee_id = f->assignee;
    in->rating = 4;
    in->outcome = fam == CF_DISPUTE ? "success" : NULL;
    in->agreement = "双方达成协议";
    in->deadline = "2026-12-31";
    in->departments[0] = f->dept;
    in->n_departments = 1;
    in->duplicate_of = target;
    in->photos[0] = f->photo;
    in->n_photos = 1;
}

static void
every_triple_walked(void **state)
{
    struct fixture *f = *state;
    struct gg_err err;
    size_t allowed = 0, refused = 0, walked = 0;

    assert_int_equal(store_begin(f->s, &err), 0);
    f->ctx.in_tx = 1;
    for (int fam = 0; fam < CF__COUNT; fam++)
        for (int s = 0; s < CS__COUNT; s++)
            for (int a = 0; a < CA__COUNT; a++)
                for (int k = 0; k < WC__COUNT; k++) {
                    const struct case_flow *fl =
                        case_flow_find(fam, s, a);
                    struct account_who who;
                    struct store_role role;
                    struct case_input in;
                    struct case_result *res =
                        gg_arena_alloc(f->a, sizeof(*res));
                    struct store_case *before, *after;
                    int64_t target = case_in(f, fam, CS_REPORTED, CA__COUNT);
                    int64_t id = case_in(f, fam, s, a);
                    size_t logs = log_count(f, id);
                    unsigned bits = 0;
                    int rc, visible;

                    who_of(f, k, &who, &role);
                    full_input(f, fam, a, target, &in);
                    assert_int_equal(
                        store_case_get(f->s, id, f->a, &before, &err), 0);
                    visible = !case_visible(&f->env, &who, before, &bits,
                                            &err);
                    rc = case_act(&f->env, &who, id, &in, res, &err);
                    walked++;
                    if (!visible) {
                        assert_int_equal(rc, GG_ENOTFOUND);
                    } else if (!fl) {
                        assert_int_equal(rc, GG_ECONFLICT);
                        assert_int_equal(err.msg, MSG_CASE_ACTION_STATE);
                    } else if (!(fl->who & bits)) {
                        assert_int_equal(rc, GG_EFORBIDDEN);
                    } else {
                        if (rc)
                            fail_msg("%s %s %s as %d: %s (%s)",
                                     case_family_name(fam),
                                     case_state_name(s), case_action_name(a),
                                     k, gg_code_name(rc), err.field);
                        assert_string_equal(
                            res->c->state,
                            case_state_name(fl->to == CS__COUNT
                                                ? (enum case_state)s
                                                : fl->to));
                        assert_int_equal(log_count(f, id), logs + 1);
                        allowed++;
                        continue;
                    }
                    /* A refusal writes nothing. */
                    refused++;
                    assert_int_equal(log_count(f, id), logs);
                    assert_int_equal(
                        store_case_get(f->s, id, f->a, &after, &err), 0);
                    assert_int_equal(after->version, before->version);
                    assert_string_equal(after->state, before->state);
                    gg_arena_reset(f->a);
                }
    f->ctx.in_tx = 0;
    assert_int_equal(store_rollback(f->s, &err), 0);
    assert_int_equal(walked,
                     (size_t)CF__COUNT * CS__COUNT * CA__COUNT * WC__COUNT);
    /* Every row of the table was taken by someone. */
    {
        size_t n;
        (void)case_flows(&n);
        assert_true(allowed >= n);
    }
    assert_true(refused > allowed);
}

static void
stale_version_and_missing_fields(void **state)
{
    struct fixture *f = *state;
    struct account_who who;
    struct store_role role;
    struct case_input in;
    struct case_result *res = gg_arena_alloc(f->a, sizeof(*res));
    struct gg_err err;
    int64_t id = case_in(f, CF_ISSUE, CS_ACCEPTED, CA_DISPATCH);

    who_of(f, WC_HOLDER, &who, &role);
    memset(&in, 0, sizeof(in));
    in.action = CA_DISPATCH;
    assert_int_equal(case_act(&f->env, &who, id, &in, res, &err), GG_EINVAL);
    assert_string_equal(err.field, "assignee");
    in.assignee_kind = "account";
    in.assignee_id = f->assignee;
    in.version = 7;
    assert_int_equal(case_act(&f->env, &who, id, &in, res, &err),
                     GG_ECONFLICT);
    assert_string_equal(err.field, "version");
    in.version = 1;
    assert_int_equal(case_act(&f->env, &who, id, &in, res, &err), 0);
    assert_string_equal(res->c->state, "dispatched");
    assert_int_equal(res->c->version, 2);
    /* The handler may not verify his own report. */
    in.action = CA_REPORT_BACK;
    in.version = 0;
    in.note = "已清理";
    who_of(f, WC_ASSIGNEE, &who, &role);
    assert_int_equal(case_act(&f->env, &who, id, &in, res, &err), 0);
    role.role = "grid_chief";
    role.node_code = GRID;
    who.n_roles = 1;
    in.action = CA_PASS;
    assert_int_equal(case_act(&f->env, &who, id, &in, res, &err),
                     GG_EFORBIDDEN);
    assert_int_equal(err.msg, MSG_CASE_SELF_VERIFY);
}

static void
escalation_moves_the_holder(void **state)
{
    struct fixture *f = *state;
    struct account_who who;
    struct store_role role;
    struct case_input in;
    struct case_result *res = gg_arena_alloc(f->a, sizeof(*res));
    struct gg_err err;
    int64_t id = case_in(f, CF_ISSUE, CS_ACCEPTED, CA_ESCALATE);

    who_of(f, WC_HOLDER, &who, &role);
    memset(&in, 0, sizeof(in));
    in.action = CA_ESCALATE;
    in.note = "超出网格处置能力";
    assert_int_equal(case_act(&f->env, &who, id, &in, res, &err), 0);
    assert_string_equal(res->c->level_code, "370902001007");
    /* The grid chief no longer holds it; the street does after one more. */
    in.action = CA_ACCEPT;
    assert_int_equal(case_act(&f->env, &who, id, &in, res, &err),
                     GG_ECONFLICT);
    in.action = CA_ESCALATE;
    assert_int_equal(case_act(&f->env, &who, id, &in, res, &err),
                     GG_EFORBIDDEN);
    who_of(f, WC_STREET, &who, &role);
    assert_int_equal(case_act(&f->env, &who, id, &in, res, &err), 0);
    assert_string_equal(res->c->level_code, "370902001");
    assert_int_equal(case_act(&f->env, &who, id, &in, res, &err), 0);
    assert_string_equal(res->c->level_code, "370902");
    assert_int_equal(case_act(&f->env, &who, id, &in, res, &err),
                     GG_EFORBIDDEN); /* the district is above the street */
}

/* Local time (UTC+8) of a day and hour as unix seconds. */
static int64_t
at(int y, int mo, int d, int h, int mi)
{
    int32_t day = gg_ymd_days(y * 10000 + mo * 100 + d);
    return (int64_t)day * 86400 + h * 3600 + mi * 60 - 8 * 3600;
}

static void
deadlines_on_the_working_calendar(void **state)
{
    struct fixture *f = *state;
    struct store_calendar_day days[] = {
        {"2026-10-01", 0, "国庆节"}, {"2026-10-02", 0, "国庆节"},
        {"2026-10-05", 0, "国庆节"}, {"2026-10-06", 0, "国庆节"},
        {"2026-10-07", 0, "国庆节"}, {"2026-10-10", 1, "调休上班"},
    };
    struct store_case c = {0};
    struct gg_err err;

    assert_int_equal(store_calendar_replace(f->s, "2026-01-01", "2026-12-31",
                                            days, GG_ARRAY_LEN(days), &err),
                     0);
    c.family = "issue";
    c.category = "sanitation";
    c.urgency = 1; /* 120 working minutes to respond, 2100 to resolve */
    /* Friday 16:00: 90 minutes on Friday, 30 on Monday. */
    c.reported_at = at(2026, 11, 27, 16, 0);
    assert_int_equal(case_deadlines(&f->env, &c, &err), 0);
    assert_int_equal(c.response_due, at(2026, 11, 30, 9, 0));
    /* 75 %: 90 minutes, the end of Friday. */
    assert_int_equal(c.response_yellow, at(2026, 11, 27, 17, 30));
    /* 2100 minutes = 5 working days of 7 h: Friday 16:00 + 5 days. */
    assert_int_equal(c.resolve_due, at(2026, 12, 4, 16, 0));
    /* Across the National Day week: Wednesday 30 September 17:00 +
     * 120 min: 30 min that day, then nothing until the make-up Saturday
     * 10 October. The Thursday 8th and Friday 9th are working days. */
    c.reported_at = at(2026, 9, 30, 17, 0);
    assert_int_equal(case_deadlines(&f->env, &c, &err), 0);
    assert_int_equal(c.response_due, at(2026, 10, 8, 10, 0));
    /* Critical cases run around the clock. */
    c.urgency = 3;
    c.reported_at = at(2026, 10, 1, 23, 0);
    assert_int_equal(case_deadlines(&f->env, &c, &err), 0);
    assert_int_equal(c.response_due, c.reported_at + 15 * 60);
    assert_int_equal(c.resolve_due, c.reported_at + 240 * 60);
}

static void
sweep_marks_yellow_then_red(void **state)
{
    struct fixture *f = *state;
    struct case_result *res = gg_arena_alloc(f->a, sizeof(*res));
    struct store_case c = {0}, *got;
    struct gg_err err;
    size_t marked;
    int64_t id;

    c.family = "issue";
    c.category = "sanitation";
    c.source = "resident";
    c.state = "accepted";
    c.urgency = 1;
    c.title = "sweep";
    c.node_code = c.level_code = GRID;
    c.extra = "{}";
    c.reported_at = c.updated_at = c.accepted_at = T0;
    c.resolve_yellow = T0 + 100;
    c.resolve_due = T0 + 200;
    c.next_alert_at = c.resolve_yellow;
    assert_int_equal(store_case_insert(f->s, &c, &id, &err), 0);
    f->ctx.now = T0 + 50;
    assert_int_equal(case_sweep(&f->env, 100, &marked, res, &err), 0);
    assert_int_equal(marked, 0);
    f->ctx.now = T0 + 150;
    assert_int_equal(case_sweep(&f->env, 100, &marked, res, &err), 0);
    assert_int_equal(marked, 1);
    assert_int_equal(store_case_get(f->s, id, f->a, &got, &err), 0);
    assert_int_equal(got->alert, 1);
    assert_int_equal(got->next_alert_at, T0 + 200);
    f->ctx.now = T0 + 250;
    assert_int_equal(case_sweep(&f->env, 100, &marked, res, &err), 0);
    assert_int_equal(marked, 1);
    assert_int_equal(store_case_get(f->s, id, f->a, &got, &err), 0);
    assert_int_equal(got->alert, 2);
    assert_int_equal(got->next_alert_at, 0);
    assert_int_equal(case_sweep(&f->env, 100, &marked, res, &err), 0);
    assert_int_equal(marked, 0);
    f->ctx.now = T0 + 86400;
}

static void
names_round_trip(void **state)
{
    size_t n;
    const struct case_flow *fl = case_flows(&n);
    (void)state;
    for (int i = 0; i < CS__COUNT; i++) {
        enum case_state s;
        assert_int_equal(case_state_parse(case_state_name(i), &s), 0);
        assert_int_equal(s, i);
    }
    for (int i = 0; i < CA__COUNT; i++) {
        enum case_action a;
        assert_int_equal(case_action_parse(case_action_name(i), &a), 0);
        assert_int_equal(a, i);
    }
    /* One row per (family, state, action): the table is a function. */
    for (size_t i = 0; i < n; i++)
        for (size_t k = i + 1; k < n; k++)
            assert_false(fl[i].family == fl[k].family &&
                         fl[i].from == fl[k].from &&
                         fl[i].action == fl[k].action);
    /* Every family can be closed and every non-terminal state be left. */
    for (int fam = 0; fam < CF__COUNT; fam++)
        for (int s = CS_REPORTED; s <= CS_VERIFIED; s++) {
            int leaves = 0;
            for (size_t i = 0; i < n; i++)
                leaves |= (int)fl[i].family == fam && (int)fl[i].from == s &&
                          fl[i].to != CS__COUNT;
            if (fam == CF_SERVICE && s == CS_VERIFIED)
                continue; /* services close from handled */
            assert_true(leaves);
        }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test_setup_teardown(every_triple_walked, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_version_and_missing_fields,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(escalation_moves_the_holder, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(deadlines_on_the_working_calendar,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(sweep_marks_yellow_then_red, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
