/*
 * cli.h - the command table and what every command shares: option parsing
 * onto the configuration, help texts and messages in the user's language.
 * Only files in src/cli/ call exit().
 */
#ifndef CLI_H
#define CLI_H

#include "core/gg_config.h"
#include "core/gg_err.h"
#include "core/gg_msg.h"

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

/* An option: a configuration key ("--db" sets db), a flag, or a value
 * for the command itself. */
struct cli_option {
    const char *name;       /* without the leading "--" */
    const char *config_key; /* NULL: not a configuration key */
    enum gg_msg_id help;
    int takes_value;        /* for options that are not configuration keys */
};

#define CLI_MAX_OPTIONS 16

struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    enum gg_msg_id summary;
};

struct cli_args {
    struct gg_config cfg;
    unsigned flags;         /* bit i: option i (a flag) was given */
    const char *values[CLI_MAX_OPTIONS]; /* option i's value, if it takes one */
    const char *word;       /* a leading subcommand word, e.g. "verify" */
    const char *word2;      /* a second one (import persons FILE) */
    enum gg_lang lang;
};

/*
 * Parses argv (after the command name): --config FILE is read first, then
 * the other options override it. Prints help for --help and returns
 * CLI_OK with *done set; prints the problem and returns CLI_USAGE on bad
 * usage, CLI_FAILED on a bad configuration.
 */
int cli_parse(const char *command, const struct cli_option *opts,
              size_t n_opts, int argc, char **argv, struct cli_args *out,
              int *done);
int cli_flag(const struct cli_args *args, const struct cli_option *opts,
             size_t n_opts, const char *name);
const char *cli_value(const struct cli_args *args,
                      const struct cli_option *opts, size_t n_opts,
                      const char *name);
/* Prints "gridgov: <message>" to stderr in the user's language. */
void cli_error(enum gg_lang lang, const struct gg_err *err);
void cli_say(enum gg_lang lang, enum gg_msg_id msg, const char *arg);

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_cases(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);

extern const struct cli_command cli_commands[];
extern const size_t cli_n_commands;

/* Common options. */
#define CLI_OPT_DB {"db", "db", MSG_OPT_DB, 1}
#define CLI_OPT_CONFIG {"config", NULL, MSG_OPT_CONFIG, 1}
#define CLI_OPT_KEY_FILE {"key-file", "key_file", MSG_OPT_KEY_FILE, 1}

#endif
