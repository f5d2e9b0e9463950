/* cmd_version.c - gridgov version. */
#include "core/gg.h"
#include "cli/cli.h"

int
cmd_version(int argc, char **argv)
{
    struct cli_args args;
    int done, rc = cli_parse("version", NULL, 0, argc, argv, &args, &done);

    if (rc || done)
        return rc;
    printf("gridgov %s\n", GG_VERSION);
    return CLI_OK;
}
