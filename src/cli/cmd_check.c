/* cmd_check.c - gridgov check: configuration, key file, database, web. */
#include "core/gg.h"
#include "cli/cli_store.h"

#include <sys/stat.h>

static const struct cli_option options[] = {
    CLI_OPT_DB,
    CLI_OPT_CONFIG,
    CLI_OPT_KEY_FILE,
    {"web", "web", MSG_OPT_WEB, 1},
    {"print-config", NULL, MSG_OPT_PRINT_CONFIG, 0},
};

struct report {
    enum gg_lang lang;
    int problems;
};

static void
item(struct report *r, enum gg_msg_id what, const struct gg_err *err)
{
    char msg[512] = "";

    if (err && err->code)
        gg_msg_format(msg, sizeof(msg), r->lang, err->msg, err->arg);
    printf("%-6s %s%s%s\n",
           gg_msg(r->lang, err && err->code ? MSG_CLI_CHECK_FAIL
                                            : MSG_CLI_CHECK_OK),
           gg_msg(r->lang, what), msg[0] ? ": " : "", msg);
    if (err && err->code)
        r->problems++;
}

int
cmd_check(int argc, char **argv)
{
    struct cli_args args;
    struct store *store = NULL;
    struct store_options opt;
    struct gg_keys keys;
    struct gg_err err;
    struct report r = {0};
    struct gg_buf details = GG_BUF_INIT(1 << 16);
    int done, rc, version = 0;
    char count[16];

    rc = cli_parse("check", options, GG_ARRAY_LEN(options), argc, argv, &args,
                   &done);
    if (rc || done)
        return rc;
    r.lang = args.lang;
    if (cli_flag(&args, options, GG_ARRAY_LEN(options), "print-config"))
        gg_config_print(&args.cfg, stdout);
    item(&r, MSG_CLI_CHECK_CONFIG, NULL);

    gg_err_clear(&err);
    if (!gg_key_load(args.cfg.key_file, &keys, &err))
        gg_keys_wipe(&keys);
    item(&r, MSG_CLI_CHECK_KEY, &err);

    gg_err_clear(&err);
    opt.busy_timeout_ms = (int)args.cfg.busy_timeout_ms;
    rc = store_open(&store, args.cfg.db, STORE_OPEN_READONLY, &opt, &err);
    item(&r, MSG_CLI_CHECK_DB, &err);
    if (!rc) {
        int latest = store_schema_latest(args.cfg.db);
        gg_err_clear(&err);
        if (!store_schema_version(store, &version, &err) && version != latest)
            gg_failf(&err, GG_EINVAL, "db",
                     version < latest ? MSG_DB_SCHEMA_OLD : MSG_DB_SCHEMA_NEW,
                     "%d", version);
        item(&r, MSG_CLI_CHECK_SCHEMA, &err);
        gg_err_clear(&err);
        if (store_check(store, &details, &err) && details.len)
            fputs(details.data, stdout);
        item(&r, MSG_CLI_CHECK_INTEGRITY, &err);
    }
    store_close(&store);
    gg_buf_release(&details);

    if (args.cfg.web[0]) {
        char path[GG_CONF_STR_MAX + 16];
        struct stat st;
        gg_err_clear(&err);
        snprintf(path, sizeof(path), "%s/index.html", args.cfg.web);
        if (stat(path, &st) || !S_ISREG(st.st_mode))
            gg_failf(&err, GG_EINVAL, "web", MSG_WEB_DIR, "%s", args.cfg.web);
        item(&r, MSG_CLI_CHECK_WEB, &err);
    }
    if (r.problems) {
        snprintf(count, sizeof(count), "%d", r.problems);
        cli_say(r.lang, MSG_CLI_CHECK_SUMMARY, count);
        return CLI_FAILED;
    }
    return CLI_OK;
}
