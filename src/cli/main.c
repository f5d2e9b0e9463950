/* main.c - gridgov's entry point: finds the command in the table. */
#include "core/gg.h"
#include "core/gg_crypto.h"
#include "cli/cli.h"

int
main(int argc, char **argv)
{
    enum gg_lang lang = gg_lang_from_env();
    struct gg_err err;

    if (gg_crypto_init()) {
        fprintf(stderr, "gridgov: libsodium failed to initialise\n");
        return CLI_FAILED;
    }
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        printf("%s", gg_msg(lang, MSG_CLI_USAGE));
        for (size_t i = 0; i < cli_n_commands; i++)
            printf("  %-10s %s\n", cli_commands[i].name,
                   gg_msg(lang, cli_commands[i].summary));
        printf("%s", gg_msg(lang, MSG_CLI_USAGE_TAIL));
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (!strcmp(argv[1], "--version"))
        return cmd_version(0, argv + 2);
    for (size_t i = 0; i < cli_n_commands; i++)
        if (!strcmp(argv[1], cli_commands[i].name))
            return cli_commands[i].run(argc - 2, argv + 2);
    gg_failf(&err, GG_EINVAL, "", MSG_CLI_UNKNOWN_COMMAND, "%.100s", argv[1]);
    cli_error(lang, &err);
    return CLI_USAGE;
}
