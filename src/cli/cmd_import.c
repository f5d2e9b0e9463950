/* cmd_import.c - gridgov import KIND FILE and gridgov export KIND: the
 * registry from and to spreadsheets, as the operator of the database. */
#include "core/gg.h"
#include "core/gg_time.h"
#include "cli/cli_store.h"
#include "domain/import.h"
#include "domain/locate.h"
#include "domain/node.h"

#include <unistd.h>

#define ERRORS_SHOWN 20
#define IMPORT_CACHE_MB 64

static const struct cli_option import_options[] = {
    CLI_OPT_DB,
    CLI_OPT_CONFIG,
    CLI_OPT_KEY_FILE,
    {"node", NULL, MSG_OPT_NODE, 1},
    {"dry-run", NULL, MSG_OPT_DRY_RUN, 0},
    {"skip-bad", NULL, MSG_OPT_SKIP_BAD, 0},
    {"report", NULL, MSG_OPT_REPORT, 1},
};

static const struct cli_option export_options[] = {
    CLI_OPT_DB,
    CLI_OPT_CONFIG,
    CLI_OPT_KEY_FILE,
    {"node", NULL, MSG_OPT_NODE, 1},
    {"out", NULL, MSG_OPT_OUT, 1},
    {"tag", NULL, MSG_OPT_TAG, 1},
};

/* The operator of the database file acts on the node given, as nobody's
 * account (history shows no actor; the audit log says "cli"). */
static void
operator_who(const char **node, struct account_who *who)
{
    memset(who, 0, sizeof(*who));
    who->username = "cli";
    who->display_name = "cli";
    who->scope.prefixes = node;
    who->scope.n = 1;
}

static void
bar(void *ctx, const struct import_report *r, uint64_t done, uint64_t total)
{
    (void)ctx;
    if (!isatty(2))
        return;
    int pct = (int)(total ? done * 100 / total : 100), w = pct / 4;
    fprintf(stderr, "\r[%.*s%*s] %3d%% %" PRId64 " (%" PRId64 ")", w,
            "=========================", 25 - w, "", pct, r->total, r->bad);
    if (done >= total)
        fputc('\n', stderr);
}

static int
usage_error(enum gg_lang lang, enum gg_msg_id usage, const char *what)
{
    struct gg_err err;
    gg_failf(&err, GG_EINVAL, "", MSG_CLI_BAD_VALUE, "%.100s", what);
    cli_error(lang, &err);
    cli_say(lang, usage, NULL);
    return CLI_USAGE;
}

static void
print_report(const struct cli_args *args, const struct import_report *r)
{
    char line[128], msg[600];

    snprintf(line, sizeof(line), "%" PRId64 " / %" PRId64 " / %" PRId64
             " (%s)", r->total, r->ok, r->bad, r->encoding);
    cli_say(args->lang, MSG_CLI_IMPORT_SUMMARY, line);
    for (size_t i = 0; i < r->n_errors && i < ERRORS_SHOWN; i++) {
        const struct import_error *e = &r->errors[i];
        char head[64];
        snprintf(line, sizeof(line), "%" PRId64, e->line);
        gg_msg_format(head, sizeof(head), args->lang, MSG_CLI_IMPORT_ROW,
                      line);
        gg_msg_format(msg, sizeof(msg), args->lang, e->err.msg, e->err.arg);
        printf("  %s %s: %s\n", head, e->err.field, msg);
    }
    cli_say(args->lang, r->written ? MSG_CLI_IMPORT_WRITTEN
                                   : MSG_CLI_IMPORT_NOT_WRITTEN, NULL);
}

/* Opens the store and keys, checks the node; fills ctx. */
static int
open_all(const struct cli_args *args, const char *node, struct store **store,
         struct gg_keys *keys, struct account_ctx *ctx)
{
    struct gg_err err;
    int rc;

    gg_err_clear(&err);
    if (node_code_check(node, NULL, "node", &err)) {
        cli_error(args->lang, &err);
        return CLI_USAGE;
    }
    rc = cli_store_open(args, 0, store);
    if (!rc)
        rc = cli_keys_load(args, 0, keys);
    memset(ctx, 0, sizeof(*ctx));
    ctx->s = *store;
    ctx->keys = keys;
    ctx->now = gg_now_s();
    ctx->a = gg_arena_new(1 << 16);
    ctx->person_tags = args->cfg.person_tags;
    return rc;
}

int
cmd_import(int argc, char **argv)
{
    const size_t n_opts = GG_ARRAY_LEN(import_options);
    struct import_report r = {0};
    struct import_opts o = {0};
    struct account_ctx ctx = {0};
    struct account_who who;
    struct store *store = NULL;
    struct gg_keys keys;
    struct cli_args args;
    struct gg_err err;
    const char *report;
    int done, rc;

    rc = cli_parse("import", import_options, n_opts, argc, argv, &args,
                   &done);
    if (rc || done)
        return rc;
    o.kind = args.word;
    o.node = cli_value(&args, import_options, n_opts, "node");
    if (!import_kind_known(o.kind) || !args.word2)
        return usage_error(args.lang, MSG_CLI_IMPORT_USAGE,
                           o.kind ? o.kind : "");
    if (!o.node)
        return usage_error(args.lang, MSG_CLI_IMPORT_USAGE, "--node");
    o.dry_run = cli_flag(&args, import_options, n_opts, "dry-run");
    o.skip_bad = cli_flag(&args, import_options, n_opts, "skip-bad");
    o.progress = bar;
    o.loc = grid_locator_new();
    report = cli_value(&args, import_options, n_opts, "report");
    /* Indexes of a big table want their pages at hand. */
    if (args.cfg.cache_mb < IMPORT_CACHE_MB)
        args.cfg.cache_mb = IMPORT_CACHE_MB;
    rc = open_all(&args, o.node, &store, &keys, &ctx);
    if (rc)
        goto out;
    operator_who(&o.node, &who);
    gg_err_clear(&err);
    if (import_run(&ctx, &who, args.word2, &o, &r, &err)) {
        cli_error(args.lang, &err);
        rc = CLI_FAILED;
        goto out;
    }
    print_report(&args, &r);
    if (report && import_report_xlsx(&r, args.lang, report, &err)) {
        cli_error(args.lang, &err);
        rc = CLI_FAILED;
        goto out;
    }
    /* Bad rows with nothing written is a failure; skipped rows are not. */
    rc = r.bad && !r.written && !o.dry_run ? CLI_FAILED : CLI_OK;
    if (o.dry_run && r.bad)
        rc = CLI_FAILED;
out:
    import_report_release(&r);
    grid_locator_free(o.loc);
    gg_arena_free(ctx.a);
    store_close(&store);
    return rc;
}

int
cmd_export(int argc, char **argv)
{
    const size_t n_opts = GG_ARRAY_LEN(export_options);
    struct store_person_filter pf = {0};
    struct store_record_filter rf = {0};
    struct export_filter f = {0};
    struct account_ctx ctx = {0};
    struct account_who who;
    struct store *store = NULL;
    struct gg_keys keys;
    struct cli_args args;
    struct gg_err err;
    const char *node, *out;
    char what[160];
    int64_t rows;
    int done, rc;

    rc = cli_parse("export", export_options, n_opts, argc, argv, &args,
                   &done);
    if (rc || done)
        return rc;
    node = cli_value(&args, export_options, n_opts, "node");
    out = cli_value(&args, export_options, n_opts, "out");
    if (!import_kind_known(args.word))
        return usage_error(args.lang, MSG_CLI_EXPORT_USAGE,
                           args.word ? args.word : "");
    if (!node || !out)
        return usage_error(args.lang, MSG_CLI_EXPORT_USAGE,
                           node ? "--out" : "--node");
    rc = open_all(&args, node, &store, &keys, &ctx);
    if (rc)
        goto done;
    operator_who(&node, &who);
    pf.node = rf.node = node;
    pf.tag = cli_value(&args, export_options, n_opts, "tag");
    if (!strcmp(args.word, "persons"))
        f.persons = &pf;
    else
        f.records = &rf;
    gg_err_clear(&err);
    if (export_run(&ctx, &who, args.word, &f, out, &rows, &err)) {
        cli_error(args.lang, &err);
        rc = CLI_FAILED;
        goto done;
    }
    snprintf(what, sizeof(what), "%" PRId64 " → %.120s", rows, out);
    cli_say(args.lang, MSG_CLI_EXPORT_DONE, what);
done:
    gg_arena_free(ctx.a);
    store_close(&store);
    return rc;
}
