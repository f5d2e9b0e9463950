/* cmd_demo.c - gridgov demo: load the demo data set into an empty database
 * (creating and migrating it first if needed). */
#include "core/gg.h"
#include "core/gg_time.h"
#include "cli/cli_store.h"
#include "domain/demo.h"

#include <unistd.h>

static const struct cli_option options[] = {
    CLI_OPT_DB,
    CLI_OPT_CONFIG,
    CLI_OPT_KEY_FILE,
};

static void
progress(void *ctx, const char *stage, int64_t done, int64_t total)
{
    (void)ctx;
    if (!isatty(2))
        return;
    fprintf(stderr, "\r%s %3d%% (%" PRId64 "/%" PRId64 ")", stage,
            (int)(done * 100 / (total ? total : 1)), done, total);
    if (done == total)
        fputc('\n', stderr);
}

int
cmd_demo(int argc, char **argv)
{
    struct cli_args args;
    struct store *store = NULL;
    struct gg_keys keys;
    struct demo_stats st;
    struct gg_err err;
    int64_t nodes, persons;
    char summary[640];
    int done, rc;

    rc = cli_parse("demo", options, GG_ARRAY_LEN(options), argc, argv, &args,
                   &done);
    if (rc || done)
        return rc;
    rc = cli_store_open(&args, 1, &store);
    if (rc)
        return rc;
    rc = cli_keys_load(&args, 1, &keys);
    if (rc)
        goto out;
    gg_err_clear(&err);
    if (store_count_roots(store, &nodes, &persons, &err)) {
        cli_error(args.lang, &err);
        rc = CLI_FAILED;
        goto out;
    }
    if (nodes || persons) {
        gg_failf(&err, GG_ECONFLICT, "db", MSG_DB_NOT_EMPTY, "%.120s",
                 args.cfg.db);
        cli_error(args.lang, &err);
        rc = CLI_FAILED;
        goto out;
    }
    if (demo_load(store, &keys, &args.cfg, gg_now_s(), progress, NULL, &st,
                  &err)) {
        cli_error(args.lang, &err);
        rc = CLI_FAILED;
        goto out;
    }
    snprintf(summary, sizeof(summary),
             "nodes=%" PRId64 " buildings=%" PRId64 " households=%" PRId64
             " persons=%" PRId64 " organisations=%" PRId64
             " grid_members=%" PRId64 " accounts=%" PRId64
             " geometries=%" PRId64 " party_orgs=%" PRId64
             " party_members=%" PRId64 " roster_posts=%" PRId64
             " departments=%" PRId64 " services=%" PRId64
             " calendar_days=%" PRId64 " cases=%" PRId64
             " cases_open=%" PRId64 " case_actions=%" PRId64
             " case_alerts=%" PRId64 " photos=%" PRId64,
             st.nodes, st.buildings, st.households, st.persons, st.orgs,
             st.grid_members, st.accounts, st.geometries, st.party_orgs,
             st.party_members, st.roster, st.departments, st.services,
             st.calendar_days, st.cases, st.cases_open, st.case_actions,
             st.case_alerts, st.photos);
    cli_say(args.lang, MSG_CLI_DEMO_DONE, summary);
    cli_say(args.lang, MSG_CLI_DEMO_ACCOUNTS, DEMO_PASSWORD);
out:
    gg_keys_wipe(&keys);
    store_close(&store);
    return rc;
}
