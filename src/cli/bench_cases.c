/* bench_cases.c - the physical limits the case benchmark (bench/cases.sh)
 * quotes:
 *
 * gridgov bench case-raw DB N: the store operations case_act performs for
 * one state change (store_case_get, store_case_update, store_case_log_add)
 * in a transaction of their own, committed one at a time on one thread
 * with the writer's store options (synchronous=FULL). Only the loop is
 * timed. Prints "raw_tps=N transitions=N".
 *
 * gridgov bench sweep DB [--cases N] [--node COMMUNITY]: fills DB (made
 * with `gridgov init` and the community with its six grids, 001..006)
 * with N open cases in one transaction - a grid chief and a grid worker
 * on each grid's roster, 1 % of the cases past their yellow or red mark
 * now - then times one whole deadline sweep as the server's writer runs
 * it: case_sweep(limit 1000) until it marks fewer than its limit, each
 * call its own transaction with the notifications it writes. Prints
 * "ms=N cases=N due=N marked=N calls=N".
 */
#include "core/gg.h"
#include "core/gg_config.h"
#include "core/gg_crypto.h"
#include "core/gg_parse.h"
#include "core/gg_time.h"
#include "cli/bench_cases.h"
#include "cli/cli.h"
#include "domain/case.h"
#include "domain/pii.h"
#include "store/store.h"

#define SWEEP_LIMIT 1000 /* as api_writer.c's run_sweep */
#define SWEEP_GRIDS 6
#define SWEEP_SHARE 100 /* one case in this many crosses a mark now */

static void
bc_options(struct gg_config *cfg, struct store_options *opt)
{
    gg_config_defaults(cfg);
    opt->busy_timeout_ms = (int)cfg->busy_timeout_ms;
    opt->cache_kib = (int)cfg->cache_mb * 1024;
}

static uint64_t
bc_rng(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A number in [lo, hi]. */
static int64_t
bc_between(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(bc_rng(s) % (uint64_t)(hi - lo + 1));
}

/* An issue as a street centre reports it, dispatched to account
 * assignee (0: still reported, nobody). */
static void
bc_case(struct store_case *c, const char *grid, int64_t assignee, int64_t now,
        const char *title)
{
    memset(c, 0, sizeof(*c));
    c->family = "issue";
    c->category = "sanitation";
    c->source = "patrol";
    c->urgency = 1;
    c->title = title;
    c->description = "小区东门外垃圾堆放两天未清运，有异味，影响居民出行";
    c->address = "东湖路 18 号东门外";
    c->node_code = grid;
    c->level_code = grid;
    c->extra = "{}";
    c->reported_at = c->updated_at = now;
    c->state = "reported";
    if (assignee) {
        c->state = "dispatched";
        c->accepted_at = c->dispatched_at = now;
        c->assignee_kind = "account";
        c->assignee_id = assignee;
    }
}

static void
bc_usage(const char *text)
{
    fprintf(stderr, "usage: gridgov bench %s\n", text);
}

int
bench_case_raw(int argc, char **argv)
{
    static const struct {
        const char *action, *from, *to, *note;
    } cycle[] = {
        {"start", "dispatched", "handling", NULL},
        {"report_back", "handling", "handled", "已处理完毕，现场已清理"},
        {"rework", "handled", "dispatched", "核查未通过，请重新处理"},
    };
    const char *grid = "370902001007001";
    struct gg_config cfg;
    struct store_options opt;
    struct store *s = NULL;
    struct gg_arena *a = NULL;
    struct store_case c0, *c;
    struct gg_err err;
    int64_t n, i, id = 0, now = gg_now_s();
    uint64_t t0, ns = 0;
    int rc;

    if (argc == 5 && !strcmp(argv[3], "--node")) {
        grid = argv[4];
        argc -= 2;
    }
    if (argc != 3 || gg_parse_i64(argv[2], 1, 100000000, &n)) {
        bc_usage("case-raw DB N [--node GRID]");
        return CLI_USAGE;
    }
    gg_err_clear(&err);
    bc_options(&cfg, &opt);
    a = gg_arena_new(64 * 1024);
    rc = store_open(&s, argv[1], 0, &opt, &err);
    /* Untimed: the case the loop moves round. */
    bc_case(&c0, grid, 1, now, "基准测试事件（直接写库）");
    if (!rc)
        rc = store_begin(s, &err);
    if (!rc) {
        rc = store_case_insert(s, &c0, &id, &err);
        rc = rc ? rc : store_commit(s, &err);
        if (rc && store_rollback(s, NULL))
            fprintf(stderr, "gridgov: rollback failed\n");
    }
    t0 = gg_mono_ns();
    for (i = 0; !rc && i < n; i++) {
        struct store_case_log l = {0};
        const size_t k = (size_t)i % GG_ARRAY_LEN(cycle);

        rc = store_begin(s, &err);
        if (rc)
            break;
        rc = store_case_get(s, id, a, &c, &err);
        if (!rc) {
            c->state = cycle[k].to;
            c->updated_at = now;
            c->handled_at = k == 1 ? now : 0;
            c->rework_count += k == 2;
            rc = store_case_update(s, c, &err);
        }
        if (!rc) {
            l.case_id = id;
            l.at = now;
            l.action = cycle[k].action;
            l.from_state = cycle[k].from;
            l.to_state = cycle[k].to;
            l.note = cycle[k].note;
            rc = store_case_log_add(s, &l, NULL, &err);
        }
        if (!rc)
            rc = store_commit(s, &err);
        else if (store_rollback(s, NULL))
            fprintf(stderr, "gridgov: rollback failed\n");
        gg_arena_reset(a);
    }
    ns = gg_mono_ns() - t0;
    if (!rc)
        printf("raw_tps=%.0f transitions=%" PRId64 "\n",
               (double)n * 1e9 / (double)(ns ? ns : 1), n);
    else
        cli_error(GG_LANG_EN, &err);
    store_close(&s);
    gg_arena_free(a);
    return rc ? CLI_FAILED : CLI_OK;
}

/* ---- the sweep ---- */

/* A grid chief (on the roster, with an account: notified of every mark)
 * and a grid worker (the cases' assignee) for grid; *worker gets the
 * worker's account. */
static int
bc_grid_staff(struct store *s, const struct gg_keys *keys, const char *grid,
              int k, int64_t now, struct gg_arena *a, int64_t *worker,
              struct gg_err *err)
{
    struct store_person p = {0};
    struct store_account acct = {0};
    struct store_roster r = {0};
    int64_t person = 0, chief = 0;
    int rc;

    p.node_code = grid;
    p.name = gg_arena_printf(a, "网格长%d", k);
    p.sex = "1";
    p.birth_date = "1980-01-01";
    p.residence = "permanent";
    pii_seal(keys, PII_ID_NO, gg_arena_printf(a, "37090219800101%03d7", k), a,
             &p.id_no);
    pii_seal(keys, PII_PHONE, gg_arena_printf(a, "1380000%04d", k), a,
             &p.phone);
    rc = store_person_insert(s, &p, now, &person, err);
    acct.display_name = p.name;
    acct.password_hash = "!"; /* never logs in */
    acct.home_node = grid;
    acct.person_id = person;
    acct.username = gg_arena_printf(a, "bench_chief%d", k);
    if (!rc)
        rc = store_account_insert(s, &acct, now, &chief, err);
    if (!rc)
        rc = store_role_grant(s, chief, "grid_chief", grid, now, err);
    r.node_code = grid;
    r.person_id = person;
    r.post = "grid_chief";
    r.since = now;
    if (!rc)
        rc = store_roster_insert(s, &r, NULL, err);
    acct.display_name = gg_arena_printf(a, "网格员%d", k);
    acct.person_id = 0;
    acct.username = gg_arena_printf(a, "bench_worker%d", k);
    if (!rc)
        rc = store_account_insert(s, &acct, now, worker, err);
    if (!rc)
        rc = store_role_grant(s, *worker, "grid_worker", grid, now, err);
    return rc;
}

/*
 * Deadlines as case_deadlines and alert_update leave them when the sweep
 * that ran a minute ago found nothing due: every case is green, or yellow
 * (one in ten) with its due time ahead, except one in SWEEP_SHARE whose
 * mark came within the last minute: yellow (75 %) for half of them, red
 * (due) for the other half. The clock that runs is the response clock
 * while a case waits to be accepted, else the resolution clock.
 */
static void
bc_clock(struct store_case *c, int64_t i, int64_t now, uint64_t *rng, int *due)
{
    int64_t yellow, end, alert = 0;

    *due = i % SWEEP_SHARE == 0;
    if (*due && (i / SWEEP_SHARE) % 2 == 0) { /* turns yellow now */
        yellow = now - bc_between(rng, 0, 59);
        end = now + bc_between(rng, 600, 86400);
    } else if (*due) { /* turns red now */
        alert = 1;
        end = now - bc_between(rng, 0, 59);
        yellow = end - bc_between(rng, 600, 86400);
    } else if (i % 10 == 5) { /* yellow since earlier */
        alert = 1;
        yellow = now - bc_between(rng, 60, 86400);
        end = now + bc_between(rng, 60, 86400);
    } else { /* green */
        int64_t reported = now - bc_between(rng, 60, 2 * 86400);
        yellow = now + bc_between(rng, 60, 3 * 86400);
        end = yellow + (yellow - reported) / 3;
    }
    c->reported_at = yellow - (end - yellow) * 3;
    c->updated_at = c->reported_at;
    if (c->accepted_at) {
        c->accepted_at = c->dispatched_at = c->reported_at + 60;
        c->response_yellow = c->reported_at + 2700;
        c->response_due = c->reported_at + 3600;
        c->resolve_yellow = yellow;
        c->resolve_due = end;
    } else {
        c->response_yellow = yellow;
        c->response_due = end;
        c->resolve_yellow = end + 86400;
        c->resolve_due = end + 2 * 86400;
    }
    c->alert = (int)alert;
    c->next_alert_at = alert ? end : yellow;
}

static int
bc_fill(const char *db, const char *community, int64_t n, int64_t now,
        int64_t *due_out, struct gg_err *err)
{
    /* A large cache for the load only; the sweep gets the writer's. */
    struct store_options opt = {5000, 256 * 1024};
    const char *grids[SWEEP_GRIDS];
    int64_t workers[SWEEP_GRIDS], due = 0;
    struct store *s = NULL;
    struct gg_arena *a = gg_arena_new(64 * 1024);
    struct gg_arena *fixed = gg_arena_new(4096);
    struct gg_keys keys;
    uint64_t rng = 1, t0 = gg_mono_ns();
    int rc = store_open(&s, db, 0, &opt, err);

    gg_random_bytes(&keys, sizeof(keys));
    if (!rc)
        rc = store_begin(s, err);
    for (int g = 0; !rc && g < SWEEP_GRIDS; g++) {
        grids[g] = gg_arena_printf(fixed, "%s%03d", community, g + 1);
        rc = bc_grid_staff(s, &keys, grids[g], g + 1, now, a, &workers[g], err);
    }
    for (int64_t i = 0; !rc && i < n; i++) {
        struct store_case c;
        int g = (int)(bc_rng(&rng) % SWEEP_GRIDS), is_due;
        /* One in five still waits to be accepted; the rest are
         * dispatched to the grid's worker. */
        int64_t worker = bc_rng(&rng) % 5 ? workers[g] : 0;
        bc_case(&c, grids[g], worker, now,
                gg_arena_printf(a, "东湖社区网格%d 垃圾堆放未清运 #%" PRId64,
                                g + 1, i + 1));
        bc_clock(&c, i, now, &rng, &is_due);
        due += is_due;
        rc = store_case_insert(s, &c, NULL, err);
        if (i % 10000 == 9999)
            gg_arena_reset(a);
        if (i % 200000 == 199999)
            fprintf(stderr, "gridgov: %" PRId64 " cases\n", i + 1);
    }
    if (!rc)
        rc = store_commit(s, err);
    else if (s && store_rollback(s, NULL))
        fprintf(stderr, "gridgov: rollback failed\n");
    if (!rc)
        fprintf(stderr, "gridgov: %" PRId64 " cases written in %.1f s\n", n,
                (double)(gg_mono_ns() - t0) / 1e9);
    *due_out = due;
    gg_wipe(&keys, sizeof(keys));
    store_close(&s);
    gg_arena_free(a);
    gg_arena_free(fixed);
    return rc;
}

int
bench_sweep(int argc, char **argv)
{
    const char *community = "370902001007", *db = NULL;
    struct gg_config cfg;
    struct store_options opt;
    struct store *s = NULL;
    struct gg_arena *a = NULL;
    struct account_ctx ctx;
    struct case_env env;
    struct case_result *res = NULL;
    struct gg_err err;
    int64_t n = 1000000, due = 0, now = gg_now_s();
    size_t marked = 0, total = 0, calls = 0;
    uint64_t t0, ns;
    int rc, bad = 0;

    /* argv[0] is "sweep". */
    for (int i = 1; !bad && i < argc; i++) {
        if (!strcmp(argv[i], "--cases") && i + 1 < argc)
            bad = gg_parse_i64(argv[++i], 1, 100000000, &n) != 0;
        else if (!strcmp(argv[i], "--node") && i + 1 < argc)
            community = argv[++i];
        else if (!db && argv[i][0] != '-')
            db = argv[i];
        else
            bad = 1;
    }
    if (bad || !db || strlen(community) != 12) {
        bc_usage("sweep DB [--cases N] [--node COMMUNITY]");
        return CLI_USAGE;
    }
    gg_err_clear(&err);
    rc = bc_fill(db, community, n, now, &due, &err);
    if (rc) {
        cli_error(GG_LANG_EN, &err);
        return CLI_FAILED;
    }

    /* The writer's connection and environment (api_writer.c run_sweep,
     * api_cases.c api_case_env). */
    bc_options(&cfg, &opt);
    rc = store_open(&s, db, 0, &opt, &err);
    a = gg_arena_new(64 * 1024);
    res = gg_arena_alloc(a, sizeof(*res));
    memset(&ctx, 0, sizeof(ctx));
    ctx.s = s;
    ctx.now = now;
    ctx.a = a;
    memset(&env, 0, sizeof(env));
    env.ctx = &ctx;
    env.reopen_days = (int)cfg.case_reopen_days;
    env.cal.tz_min = 480;
    if (!rc)
        rc = gg_workcal_hours(&env.cal, cfg.work_hours, &err);
    t0 = gg_mono_ns();
    while (!rc) {
        rc = case_sweep(&env, SWEEP_LIMIT, &marked, res, &err);
        calls++;
        total += marked;
        if (marked < SWEEP_LIMIT)
            break;
    }
    ns = gg_mono_ns() - t0;
    if (!rc)
        printf("ms=%.1f cases=%" PRId64 " due=%" PRId64 " marked=%zu "
               "calls=%zu\n",
               (double)ns / 1e6, n, due, total, calls);
    else
        cli_error(GG_LANG_EN, &err);
    store_close(&s);
    gg_arena_free(a);
    return rc ? CLI_FAILED : CLI_OK;
}
