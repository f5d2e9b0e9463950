#include "core/gg.h"
#include "cli/cli.h"

const struct cli_command cli_commands[] = {
    {"serve", cmd_serve, MSG_CMD_SERVE},
    {"init", cmd_init, MSG_CMD_INIT},
    {"demo", cmd_demo, MSG_CMD_DEMO},
    {"check", cmd_check, MSG_CMD_CHECK},
    {"import", cmd_import, MSG_CMD_IMPORT},
    {"export", cmd_export, MSG_CMD_EXPORT},
    {"audit", cmd_audit, MSG_CMD_AUDIT},
    {"cases", cmd_cases, MSG_CMD_CASES},
    {"bench", cmd_bench, MSG_CMD_BENCH},
    {"version", cmd_version, MSG_CMD_VERSION},
};
const size_t cli_n_commands = GG_ARRAY_LEN(cli_commands);

void
cli_error(enum gg_lang lang, const struct gg_err *err)
{
    char msg[512];
    gg_msg_format(msg, sizeof(msg), lang, err->msg, err->arg);
    fprintf(stderr, "gridgov: %s\n", msg);
}

void
cli_say(enum gg_lang lang, enum gg_msg_id id, const char *arg)
{
    char msg[512];
    gg_msg_format(msg, sizeof(msg), lang, id, arg);
    printf("%s\n", msg);
}

static void
usage(const char *command, const struct cli_option *opts, size_t n,
      enum gg_lang lang)
{
    const char *summary = "";

    for (size_t i = 0; i < cli_n_commands; i++)
        if (!strcmp(cli_commands[i].name, command))
            summary = gg_msg(lang, cli_commands[i].summary);
    printf("gridgov %s [options]\n  %s\n\n%s\n", command, summary,
           gg_msg(lang, MSG_CLI_OPTIONS));
    for (size_t i = 0; i < n; i++) {
        char left[40];
        snprintf(left, sizeof(left), "--%s%s", opts[i].name,
                 opts[i].config_key || opts[i].takes_value ? " VALUE" : "");
        printf("  %-24s %s\n", left, gg_msg(lang, opts[i].help));
    }
    printf("  %-24s %s\n", "--help", gg_msg(lang, MSG_OPT_HELP));
}

static const struct cli_option *
find_option(const struct cli_option *opts, size_t n, const char *name,
            size_t *index)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(opts[i].name, name)) {
            *index = i;
            return &opts[i];
        }
    }
    return NULL;
}

int
cli_parse(const char *command, const struct cli_option *opts, size_t n_opts,
          int argc, char **argv, struct cli_args *out, int *done)
{
    /* Commands with words first: audit verify, import persons FILE. */
    int words = !strcmp(command, "import")                                ? 2
                : !strcmp(command, "audit") || !strcmp(command, "bench") ||
                        !strcmp(command, "export") || !strcmp(command, "cases")
                    ? 1
                    : 0;
    struct gg_err err;
    size_t idx;

    memset(out, 0, sizeof(*out));
    out->lang = gg_lang_from_env();
    if (n_opts > CLI_MAX_OPTIONS)
        abort(); /* a command table bug */
    gg_config_defaults(&out->cfg);
    *done = 0;
    gg_err_clear(&err);

    /* Pass 1: --help and --config, so flags override the file. */
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(command, opts, n_opts, out->lang);
            *done = 1;
            return CLI_OK;
        }
        if (!strcmp(argv[i], "--config") &&
            find_option(opts, n_opts, "config", &idx)) {
            if (i + 1 >= argc) {
                gg_failf(&err, GG_EINVAL, "", MSG_CLI_MISSING_VALUE, "%s",
                         argv[i]);
                cli_error(out->lang, &err);
                return CLI_USAGE;
            }
            if (gg_config_load(&out->cfg, argv[i + 1], &err)) {
                cli_error(out->lang, &err);
                return CLI_FAILED;
            }
            i++;
        }
    }
    for (int i = 0; i < argc; i++) {
        const struct cli_option *o;
        char *name = argv[i], *value = NULL, *eq;

        if (i < words && name[0] != '-' && (i == 0 || out->word)) {
            if (i == 0)
                out->word = name;
            else
                out->word2 = name;
            continue;
        }
        if (strncmp(name, "--", 2)) {
            gg_failf(&err, GG_EINVAL, "", MSG_CLI_EXTRA_ARG, "%.100s", name);
            cli_error(out->lang, &err);
            return CLI_USAGE;
        }
        name += 2;
        eq = strchr(name, '=');
        if (eq) {
            *eq = '\0';
            value = eq + 1;
        }
        o = find_option(opts, n_opts, name, &idx);
        if (!o) {
            gg_failf(&err, GG_EINVAL, "", MSG_CLI_UNKNOWN_OPTION, "--%.100s",
                     name);
            cli_error(out->lang, &err);
            return CLI_USAGE;
        }
        out->flags |= 1u << idx;
        if (!o->config_key && !o->takes_value)
            continue;
        if (!value) {
            if (i + 1 >= argc) {
                gg_failf(&err, GG_EINVAL, "", MSG_CLI_MISSING_VALUE,
                         "--%.100s", name);
                cli_error(out->lang, &err);
                return CLI_USAGE;
            }
            value = argv[++i];
        }
        if (!o->config_key) {
            out->values[idx] = value; /* --config was read in pass 1 */
            continue;
        }
        if (gg_config_set(&out->cfg, o->config_key, value, &err)) {
            gg_failf(&err, GG_EINVAL, "", MSG_CLI_BAD_VALUE, "--%s %.100s",
                     name, value);
            cli_error(out->lang, &err);
            return CLI_USAGE;
        }
    }
    if (gg_config_finish(&out->cfg, &err)) {
        cli_error(out->lang, &err);
        return CLI_FAILED;
    }
    return CLI_OK;
}

int
cli_flag(const struct cli_args *args, const struct cli_option *opts,
         size_t n_opts, const char *name)
{
    size_t idx;
    return find_option(opts, n_opts, name, &idx) &&
           (args->flags & (1u << idx));
}

const char *
cli_value(const struct cli_args *args, const struct cli_option *opts,
          size_t n_opts, const char *name)
{
    size_t idx;
    if (!find_option(opts, n_opts, name, &idx))
        return NULL;
    return args->values[idx];
}
