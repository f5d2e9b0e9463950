/* cmd_init.c - gridgov init: create or migrate a database, make its key. */
#include "core/gg.h"
#include "cli/cli_store.h"

static const struct cli_option options[] = {
    CLI_OPT_DB,
    CLI_OPT_CONFIG,
    CLI_OPT_KEY_FILE,
};

int
cmd_init(int argc, char **argv)
{
    struct cli_args args;
    struct store *store = NULL;
    struct gg_keys keys;
    char version[16];
    int done, rc;

    rc = cli_parse("init", options, GG_ARRAY_LEN(options), argc, argv, &args,
                   &done);
    if (rc || done)
        return rc;
    rc = cli_store_open(&args, 1, &store);
    if (!rc)
        rc = cli_keys_load(&args, 1, &keys);
    if (!rc) {
        snprintf(version, sizeof(version), "%d",
                 store_schema_latest(args.cfg.db));
        cli_say(args.lang, MSG_CLI_INIT_DONE, args.cfg.db);
        cli_say(args.lang, MSG_CLI_SCHEMA, version);
        gg_keys_wipe(&keys);
    }
    store_close(&store);
    return rc;
}
