/* cmd_bench.c - gridgov bench hash | grid-lookup: single costs that the
 * benchmarks quote (bench/auth.sh, bench/grid_lookup.sh). Prints one
 * "key=value ..." line. */
#include "core/gg.h"
#include "core/gg_crypto.h"
#include "core/gg_time.h"
#include "cli/bench_cases.h"
#include "cli/bench_geo.h"
#include "cli/bench_import.h"
#include "cli/cli.h"

int
cmd_bench(int argc, char **argv)
{
    struct cli_args args;
    struct gg_err err;
    char hash[GG_PWHASH_MAX];
    uint64_t best = UINT64_MAX;
    int done, rc;

    /* grid-lookup parses its own options. */
    if (argc > 0 && !strcmp(argv[0], "grid-lookup"))
        return bench_grid_lookup(argc, argv);
    if (argc > 0 && !strcmp(argv[0], "import-raw"))
        return bench_import_raw(argc, argv);
    if (argc > 0 && !strcmp(argv[0], "case-raw"))
        return bench_case_raw(argc, argv);
    if (argc > 0 && !strcmp(argv[0], "sweep"))
        return bench_sweep(argc, argv);
    rc = cli_parse("bench", NULL, 0, argc, argv, &args, &done);
    if (rc || done)
        return rc;
    if (!args.word || strcmp(args.word, "hash")) {
        gg_fail(&err, GG_EINVAL, "", MSG_CLI_BENCH_USAGE);
        cli_error(args.lang, &err);
        return CLI_USAGE;
    }
    if (gg_password_hash("bench-password-1234", &gg_pwhash_interactive, hash))
        return CLI_FAILED;
    /* The fastest of five: the cost, not the machine's noise. */
    for (int i = 0; i < 5; i++) {
        uint64_t t0 = gg_mono_ns();
        if (gg_password_verify(hash, "bench-password-1234"))
            return CLI_FAILED;
        if (gg_mono_ns() - t0 < best)
            best = gg_mono_ns() - t0;
    }
    printf("argon2_ms=%.1f ops=%llu mem_mb=%zu\n", (double)best / 1e6,
           gg_pwhash_interactive.ops, gg_pwhash_interactive.mem >> 20);
    return CLI_OK;
}
