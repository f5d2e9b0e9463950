/* cmd_serve.c - gridgov serve: the HTTP server until SIGINT or SIGTERM. */
#include "core/gg.h"
#include "core/gg_workcal.h"
#include "core/gg_log.h"
#include "api/api.h"
#include "cli/cli_store.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct cli_option options[] = {
    CLI_OPT_DB,
    CLI_OPT_CONFIG,
    CLI_OPT_KEY_FILE,
    {"listen", "listen", MSG_OPT_LISTEN, 1},
    {"web", "web", MSG_OPT_WEB, 1},
};

static int
web_dir_ok(const char *dir)
{
    char path[GG_CONF_STR_MAX + 16];
    struct stat st;
    snprintf(path, sizeof(path), "%s/index.html", dir);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
cmd_serve(int argc, char **argv)
{
    struct cli_args args;
    struct store *store = NULL;
    struct http_server *srv = NULL;
    struct api_app app;
    struct gg_keys keys;
    struct gg_err err;
    enum gg_log_level level = GG_LOG_INFO;
    sigset_t stop;
    char where[GG_CONF_STR_MAX + 16];
    int done, rc, sig = 0;

    rc = cli_parse("serve", options, GG_ARRAY_LEN(options), argc, argv, &args,
                   &done);
    if (rc || done)
        return rc;
    if (gg_log_parse_level(args.cfg.log_level, &level))
        return CLI_USAGE; /* cli_parse already checked it */
    gg_log_setup(2, level);
    gg_err_clear(&err);
    if (args.cfg.web[0] && !web_dir_ok(args.cfg.web)) {
        gg_failf(&err, GG_EINVAL, "web", MSG_WEB_DIR, "%s", args.cfg.web);
        cli_error(args.lang, &err);
        return CLI_FAILED;
    }
    {
        /* Case deadlines count these hours: refuse a bad value now. */
        struct gg_workcal cal = {0};
        if (gg_workcal_hours(&cal, args.cfg.work_hours, &err)) {
            cli_error(args.lang, &err);
            return CLI_USAGE;
        }
    }
    rc = cli_keys_load(&args, 0, &keys);
    if (rc)
        return rc;
    /* Check the database once up front so a wrong path fails here, with
     * one clear line, rather than on the first request. */
    rc = cli_store_open(&args, 0, &store);
    store_close(&store);
    if (rc)
        goto out;

    /* Worker threads inherit this mask; only sigwait() below sees them. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    api_app_init(&app, &args.cfg, &keys);
    api_app_start(&app);
    if (http_server_start(&srv, &args.cfg, &app.http, &err)) {
        api_app_stop(&app);
        cli_error(args.lang, &err);
        rc = CLI_FAILED;
        goto out;
    }
    snprintf(where, sizeof(where), "%.*s:%d",
             (int)(strrchr(args.cfg.listen, ':') - args.cfg.listen),
             args.cfg.listen, http_server_port(srv));
    cli_say(args.lang, MSG_CLI_LISTENING, where);
    fflush(stdout);
    gg_log(GG_LOG_INFO, "serve.start", "listen=%s threads=%" PRId64, where,
           args.cfg.threads);

    if (sigwait(&stop, &sig))
        sig = 0;
    gg_log(GG_LOG_INFO, "serve.stop", "signal=%d", sig);
    http_server_stop(&srv, (int)args.cfg.shutdown_grace_s);
    api_app_stop(&app);
    gg_log(GG_LOG_INFO, "serve.stopped", "clean=1");
out:
    gg_keys_wipe(&keys);
    return rc;
}
