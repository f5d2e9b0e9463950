/* cmd_init.c - gridgov init: create or migrate a database, make its key,
 * and optionally the top region and the first security administrator. */
#include "core/gg.h"
#include "core/gg_log.h"
#include "core/gg_time.h"
#include "cli/cli_store.h"
#include "domain/account.h"
#include "domain/audit.h"
#include "domain/node.h"

static const struct cli_option options[] = {
    CLI_OPT_DB,
    CLI_OPT_CONFIG,
    CLI_OPT_KEY_FILE,
    {"admin", NULL, MSG_OPT_ADMIN, 1},
    {"region", NULL, MSG_OPT_REGION, 1},
    {"region-name", NULL, MSG_OPT_REGION_NAME, 1},
    {"admin-password-file", NULL, MSG_OPT_ADMIN_PASSWORD_FILE, 1},
};

/* Reads the first line of a file as the password. */
static int
read_password(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    int ok;

    if (!f)
        return -1;
    ok = fgets(out, (int)cap, f) != NULL;
    fclose(f);
    if (!ok)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

static int
create_admin(const struct cli_args *args, struct store *store,
             const struct gg_keys *keys, const char *username,
             const char *region, const char *region_name,
             const char *password_file)
{
    struct password_policy pol = {(int)args->cfg.password_min_length,
                                  (int)args->cfg.password_staff_classes, 0};
    struct account_grant grant = {"sec_admin", region};
    struct audit_event ev = {0};
    struct store_node node = {0}, *existing;
    struct store_scope all = {&region, 1};
    struct gg_arena *a = gg_arena_new(4096);
    char password[257], hash[GG_PWHASH_MAX];
    struct gg_err err;
    int64_t id, now = gg_now_s();
    int rc;

    gg_err_clear(&err);
    rc = account_username_check(username, &err);
    if (!rc)
        rc = node_code_check(region, NULL, "region", &err);
    if (!rc && password_file) {
        if (read_password(password_file, password, sizeof(password))) {
            gg_failf(&err, GG_EINVAL, "", MSG_CONFIG_READ, "%s",
                     password_file);
            rc = GG_EINVAL;
        } else {
            rc = password_check(password, username, 1, &pol, "password",
                                &err);
        }
    } else if (!rc) {
        password_generate(password);
    }
    if (!rc && gg_password_hash(password, &gg_pwhash_interactive, hash))
        rc = gg_fail(&err, GG_EINTERNAL, "", MSG_INTERNAL);
    if (!rc)
        rc = store_begin(store, &err);
    if (rc)
        goto out;
    node.code = region;
    node.name = region_name;
    if (node_code_level(region, &node.level)) {
        rc = GG_EINVAL;
        goto rollback;
    }
    if (store_node_get(store, &all, region, a, &existing, NULL) == GG_ENOTFOUND)
        rc = store_node_insert(store, &node, now, &err);
    if (!rc)
        rc = account_create(store, username, "安全管理员", hash, 0, region, 1,
                            &grant, 1, now, &id, &err);
    if (!rc) {
        ev.actor = "gridgov init";
        ev.action = "account.create";
        ev.target = gg_arena_printf(a, "account:%" PRId64, id);
        ev.detail = gg_arena_printf(a, "sec_admin@%s", region);
        rc = audit_append(store, keys, &ev, now * 1000, &err);
    }
    if (!rc)
        rc = store_commit(store, &err);
rollback:
    if (rc && store_rollback(store, NULL))
        gg_log(GG_LOG_ERROR, "init", "op=rollback failed=1");
out:
    if (!rc) {
        cli_say(args->lang, MSG_CLI_ADMIN_CREATED, username);
        if (!password_file)
            cli_say(args->lang, MSG_CLI_ADMIN_PASSWORD, password);
    } else {
        cli_error(args->lang, &err);
    }
    gg_wipe(password, sizeof(password));
    gg_arena_free(a);
    return rc ? CLI_FAILED : CLI_OK;
}

int
cmd_init(int argc, char **argv)
{
    struct cli_args args;
    struct store *store = NULL;
    struct gg_keys keys;
    struct gg_err err;
    const char *admin, *region, *region_name, *pwfile;
    const size_t n = GG_ARRAY_LEN(options);
    char version[16];
    int done, rc;

    rc = cli_parse("init", options, n, argc, argv, &args, &done);
    if (rc || done)
        return rc;
    admin = cli_value(&args, options, n, "admin");
    region = cli_value(&args, options, n, "region");
    region_name = cli_value(&args, options, n, "region-name");
    pwfile = cli_value(&args, options, n, "admin-password-file");
    if (admin && (!region || !region_name)) {
        gg_fail(&err, GG_EINVAL, "", MSG_CLI_ADMIN_NEEDS);
        cli_error(args.lang, &err);
        return CLI_USAGE;
    }
    rc = cli_store_open(&args, 1, &store);
    if (!rc)
        rc = cli_keys_load(&args, 1, &keys);
    if (!rc) {
        snprintf(version, sizeof(version), "%d",
                 store_schema_latest(args.cfg.db));
        cli_say(args.lang, MSG_CLI_INIT_DONE, args.cfg.db);
        cli_say(args.lang, MSG_CLI_SCHEMA, version);
        if (admin)
            rc = create_admin(&args, store, &keys, admin, region, region_name,
                              pwfile);
        gg_keys_wipe(&keys);
    }
    store_close(&store);
    return rc;
}
