/* cmd_audit.c - gridgov audit verify | archive. */
#include "core/gg.h"
#include "core/gg_parse.h"
#include "core/gg_time.h"
#include "cli/cli_store.h"
#include "domain/audit.h"

#include <sys/stat.h>

static const struct cli_option options[] = {
    CLI_OPT_DB,
    CLI_OPT_CONFIG,
    CLI_OPT_KEY_FILE,
    {"before-days", NULL, MSG_OPT_BEFORE_DAYS, 1},
};

static int
verify(const struct cli_args *args, struct store *store,
       const struct gg_keys *keys)
{
    struct gg_err err;
    int64_t checked, broken;
    char num[24];

    gg_err_clear(&err);
    if (audit_verify(store, keys, &checked, &broken, &err)) {
        cli_error(args->lang, &err);
        return CLI_FAILED;
    }
    snprintf(num, sizeof(num), "%" PRId64, broken ? broken : checked);
    cli_say(args->lang, broken ? MSG_CLI_AUDIT_BROKEN : MSG_CLI_AUDIT_OK, num);
    return broken ? CLI_FAILED : CLI_OK;
}

static int
archive(const struct cli_args *args, struct store *store,
        const struct gg_keys *keys, const char *before_days)
{
    char dir[GG_CONF_STR_MAX + 8], path[GG_CONF_STR_MAX + 64], what[128];
    int64_t days = args->cfg.audit_retention_days, count;
    struct gg_err err;

    gg_err_clear(&err);
    if (before_days &&
        gg_parse_i64(before_days, args->cfg.audit_retention_days, 36500,
                     &days)) {
        gg_failf(&err, GG_EINVAL, "", MSG_CLI_BAD_VALUE, "--before-days %.20s",
                 before_days);
        cli_error(args->lang, &err);
        return CLI_USAGE;
    }
    if (args->cfg.audit_archive_dir[0])
        snprintf(dir, sizeof(dir), "%s", args->cfg.audit_archive_dir);
    else
        snprintf(dir, sizeof(dir), "%.1016s.audit", args->cfg.db);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        gg_failf(&err, GG_EINVAL, "", MSG_CONFIG_VALUE, "audit_archive_dir %s",
                 dir);
        cli_error(args->lang, &err);
        return CLI_FAILED;
    }
    if (audit_archive(store, keys, gg_now_ms() - days * 86400 * 1000, dir,
                      &count, path, sizeof(path), &err)) {
        cli_error(args->lang, &err);
        return CLI_FAILED;
    }
    snprintf(what, sizeof(what), "%" PRId64 " → %.100s", count,
             count ? path : "-");
    cli_say(args->lang, MSG_CLI_AUDIT_ARCHIVED, what);
    return CLI_OK;
}

int
cmd_audit(int argc, char **argv)
{
    struct cli_args args;
    struct store *store = NULL;
    struct gg_keys keys;
    struct gg_err err;
    int done, rc;

    rc = cli_parse("audit", options, GG_ARRAY_LEN(options), argc, argv, &args,
                   &done);
    if (rc || done)
        return rc;
    if (!args.word ||
        (strcmp(args.word, "verify") && strcmp(args.word, "archive"))) {
        gg_fail(&err, GG_EINVAL, "", MSG_CLI_AUDIT_USAGE);
        cli_error(args.lang, &err);
        return CLI_USAGE;
    }
    rc = cli_store_open(&args, 0, &store);
    if (!rc)
        rc = cli_keys_load(&args, 0, &keys);
    if (!rc) {
        rc = !strcmp(args.word, "verify")
                 ? verify(&args, store, &keys)
                 : archive(&args, store, &keys,
                           cli_value(&args, options, GG_ARRAY_LEN(options),
                                     "before-days"));
        gg_keys_wipe(&keys);
    }
    store_close(&store);
    return rc;
}
