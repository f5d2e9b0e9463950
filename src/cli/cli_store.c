/* cli_store.c - opening the database and its key file for commands. */
#include "core/gg.h"
#include "cli/cli_store.h"

#include <unistd.h>

int
cli_store_open(const struct cli_args *args, int create, struct store **out)
{
    struct store_options opt = {(int)args->cfg.busy_timeout_ms,
                                (int)args->cfg.cache_mb * 1024};
    struct gg_err err;
    int version, latest = store_schema_latest(args->cfg.db);
    int from, to;

    *out = NULL;
    gg_err_clear(&err);
    if (store_open(out, args->cfg.db, create ? STORE_OPEN_CREATE : 0, &opt,
                   &err))
        goto fail;
    if (create && store_migrate(*out, &from, &to, &err))
        goto fail;
    if (store_schema_version(*out, &version, &err))
        goto fail;
    if (version != latest) {
        gg_failf(&err, GG_EINVAL, "db",
                 version < latest ? MSG_DB_SCHEMA_OLD : MSG_DB_SCHEMA_NEW,
                 "%d", version);
        goto fail;
    }
    return CLI_OK;
fail:
    cli_error(args->lang, &err);
    store_close(out);
    return CLI_FAILED;
}

int
cli_keys_load(const struct cli_args *args, int create, struct gg_keys *keys)
{
    struct gg_err err;

    gg_err_clear(&err);
    if (create && access(args->cfg.key_file, F_OK) < 0) {
        if (gg_key_create(args->cfg.key_file, &err)) {
            cli_error(args->lang, &err);
            return CLI_FAILED;
        }
        cli_say(args->lang, MSG_CLI_KEY_CREATED, args->cfg.key_file);
    }
    if (gg_key_load(args->cfg.key_file, keys, &err)) {
        cli_error(args->lang, &err);
        return CLI_FAILED;
    }
    return CLI_OK;
}
