/* cmd_version.c - gridgov version. */
#include "core/gg.h"
#include "cli/cli.h"

int
cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 0) {
        fprintf(stderr, "gridgov version\n");
        return CLI_USAGE;
    }
    printf("gridgov %s\n", GG_VERSION);
    return CLI_OK;
}
