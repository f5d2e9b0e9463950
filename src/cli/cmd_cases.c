/* cmd_cases.c - gridgov cases flows | sweep | stats: the case engine from
 * the command line. flows prints each family's workflow table as a state
 * diagram (Mermaid, which the docs render); sweep marks yellow and red
 * deadlines once, as the server's timer does; stats prints a node's rates.
 */
#include "core/gg.h"
#include "core/gg_time.h"
#include "cli/cli_store.h"
#include "domain/case.h"

static const struct cli_option options[] = {
    CLI_OPT_DB,
    CLI_OPT_CONFIG,
    CLI_OPT_KEY_FILE,
    {"family", NULL, MSG_OPT_CASE_FAMILY, 1},
    {"node", NULL, MSG_OPT_NODE, 1},
};

/* One stateDiagram per family: every row an arrow "action (who)". */
static int
flows(const struct cli_args *args, const char *family)
{
    static const char *const who_zh[] = {"上报人", "承办层级", "处置人",
                                         "被吹哨部门", "街道", "工作人员"};
    size_t n;
    const struct case_flow *fl = case_flows(&n);
    enum case_family only = CF__COUNT;
    struct gg_err err;

    if (family && case_family_parse(family, &only)) {
        gg_failf(&err, GG_EINVAL, "", MSG_CLI_BAD_VALUE, "--family %.20s",
                 family);
        cli_error(args->lang, &err);
        return CLI_USAGE;
    }
    for (int f = 0; f < CF__COUNT; f++) {
        if (only != CF__COUNT && (int)only != f)
            continue;
        printf("%%%% %s %s\nstateDiagram-v2\n",
               case_family_name((enum case_family)f),
               case_family_zh((enum case_family)f));
        printf("    [*] --> reported: report\n");
        for (size_t i = 0; i < n; i++) {
            char who[128] = "";
            size_t len = 0;
            if ((int)fl[i].family != f)
                continue;
            for (size_t b = 0; b < GG_ARRAY_LEN(who_zh); b++)
                if (fl[i].who & (1u << b))
                    len += (size_t)snprintf(who + len, sizeof(who) - len,
                                            "%s%s", len ? "/" : "",
                                            who_zh[b]);
            printf("    %s --> %s: %s %s（%s）\n",
                   case_state_name(fl[i].from),
                   case_state_name(fl[i].to == CS__COUNT ? fl[i].from
                                                         : fl[i].to),
                   case_action_name(fl[i].action),
                   case_action_zh(fl[i].action), who);
        }
        for (int s = CS_CLOSED; s < CS__COUNT; s++)
            printf("    %s --> [*]\n", case_state_name((enum case_state)s));
        printf("\n");
    }
    return CLI_OK;
}

static int
sweep(const struct cli_args *args, struct store *s,
      const struct gg_keys *keys)
{
    struct gg_arena *a = gg_arena_new(1 << 16);
    struct case_result *res = gg_arena_alloc(a, sizeof(*res));
    struct account_ctx ctx = {0};
    struct case_env env = {0};
    struct gg_err err;
    size_t marked = 0, total = 0;
    char num[24];
    int rc = 0;

    ctx.s = s;
    ctx.keys = keys;
    ctx.a = a;
    ctx.now = gg_now_s();
    env.ctx = &ctx;
    env.reopen_days = (int)args->cfg.case_reopen_days;
    env.cal.tz_min = 480;
    gg_err_clear(&err);
    rc = gg_workcal_hours(&env.cal, args->cfg.work_hours, &err);
    do {
        if (!rc)
            rc = case_sweep(&env, 1000, &marked, res, &err);
        total += marked;
    } while (!rc && marked >= 1000);
    gg_arena_free(a);
    if (rc) {
        cli_error(args->lang, &err);
        return CLI_FAILED;
    }
    snprintf(num, sizeof(num), "%zu", total);
    cli_say(args->lang, MSG_CLI_CASES_SWEPT, num);
    return CLI_OK;
}

static void
pct(const char *label, int64_t num, int64_t den)
{
    if (den)
        printf("%s\t%.1f%%\t(%" PRId64 "/%" PRId64 ")\n", label,
               100.0 * (double)num / (double)den, num, den);
    else
        printf("%s\t-\n", label);
}

static int
stats(const struct cli_args *args, struct store *s, const char *node)
{
    struct gg_arena *a = gg_arena_new(1 << 16);
    struct store_case_filter f = {0};
    struct store_scope scope;
    struct store_case_stats *g;
    struct gg_err err;
    size_t n = 0;
    const char *root = node ? node : "";
    int rc;

    scope.prefixes = &root;
    scope.n = 1;
    f.scope = &scope;
    f.node = root;
    f.reporter_id = f.account_id = -1;
    rc = store_case_stats(s, &f, CASE_GROUP_FAMILY, 0, gg_now_s(), a, &g, &n,
                          &err);
    if (rc) {
        gg_arena_free(a);
        cli_error(args->lang, &err);
        return CLI_FAILED;
    }
    for (size_t i = 0; i < n; i++) {
        enum case_family fam = CF_ISSUE;
        if (case_family_parse(g[i].key, &fam))
            continue;
        printf("== %s %s: %" PRId64 " (open %" PRId64 ", closed %" PRId64
               ")\n",
               g[i].key, case_family_zh(fam), g[i].total, g[i].open,
               g[i].closed);
        pct("结案率 closure", g[i].closed, g[i].due);
        pct("按期结案率 on time", g[i].closed_on_time, g[i].closed);
        pct("返工率 rework", g[i].reworked, g[i].total - g[i].ended);
        pct("满意率 satisfaction", g[i].satisfied, g[i].rated);
        if (fam == CF_DISPUTE) {
            pct("调处率 mediated", g[i].mediated, g[i].disputes);
            pct("调解成功率 mediation success", g[i].mediated_ok,
                g[i].mediated);
        }
        if (g[i].closed)
            printf("平均办理时长 avg hours\t%.1f\n",
                   (double)g[i].handle_s / (double)g[i].closed / 3600.0);
    }
    gg_arena_free(a);
    return CLI_OK;
}

int
cmd_cases(int argc, char **argv)
{
    struct cli_args args;
    struct store *store = NULL;
    struct gg_keys keys;
    struct gg_err err;
    int done, rc;

    rc = cli_parse("cases", options, GG_ARRAY_LEN(options), argc, argv, &args,
                   &done);
    if (rc || done)
        return rc;
    if (args.word && !strcmp(args.word, "flows"))
        return flows(&args, cli_value(&args, options, GG_ARRAY_LEN(options),
                                      "family"));
    if (!args.word ||
        (strcmp(args.word, "sweep") && strcmp(args.word, "stats"))) {
        gg_fail(&err, GG_EINVAL, "", MSG_CLI_CASES_USAGE);
        cli_error(args.lang, &err);
        return CLI_USAGE;
    }
    rc = cli_store_open(&args, 0, &store);
    if (!rc && !strcmp(args.word, "sweep")) {
        rc = cli_keys_load(&args, 0, &keys);
        if (!rc) {
            rc = sweep(&args, store, &keys);
            gg_keys_wipe(&keys);
        }
    } else if (!rc) {
        rc = stats(&args, store,
                   cli_value(&args, options, GG_ARRAY_LEN(options), "node"));
    }
    store_close(&store);
    return rc;
}
