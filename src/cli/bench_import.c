/* bench_import.c - gridgov bench import-raw FILE DB: the physical limit the
 * import benchmark (bench/import.sh) measures `gridgov import persons`
 * against: the same persons rows, sealed beforehand, written with the
 * store's own prepared INSERT into the same schema and indexes, in one
 * transaction, with nothing else (no checks, no history, no tags). Only
 * the inserts are timed. Prints "raw_rows_per_s=N rows=N". */
#include "core/gg.h"
#include "core/gg_crypto.h"
#include "core/gg_sheet.h"
#include "core/gg_time.h"
#include "cli/bench_import.h"
#include "cli/cli.h"
#include "domain/pii.h"
#include "store/store.h"

#define RAW_BATCH 10000

/* One row of the generated file (bench/gen_persons.py): name, ID number,
 * phone, residence, node, tags. */
static void
raw_person(const struct gg_keys *keys, const char *const *c,
           struct gg_arena *a, struct store_person *p)
{
    const char *id = c[1];

    memset(p, 0, sizeof(*p));
    p->node_code = gg_arena_strdup(a, c[4]);
    p->name = gg_arena_strdup(a, c[0]);
    p->sex = (id[16] - '0') % 2 ? "1" : "2";
    p->birth_date = gg_arena_printf(a, "%.4s-%.2s-%.2s", id + 6, id + 10,
                                    id + 12);
    p->residence = "permanent";
    pii_seal(keys, PII_ID_NO, id, a, &p->id_no);
    pii_seal(keys, PII_PHONE, c[2], a, &p->phone);
}

int
bench_import_raw(int argc, char **argv)
{
    struct store_options opt = {5000, 64 * 1024};
    struct store_person *rows;
    struct gg_sheet *sh = NULL;
    struct store *s = NULL;
    struct gg_arena *a;
    struct gg_keys keys;
    struct gg_err err;
    const char *const *cells;
    uint64_t ns = 0;
    int64_t line, total = 0;
    size_t n, k = 0;
    int rc, more = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: gridgov bench import-raw FILE DB\n");
        return CLI_USAGE;
    }
    gg_err_clear(&err);
    gg_random_bytes(keys.seal, sizeof(keys.seal));
    gg_random_bytes(keys.blind, sizeof(keys.blind));
    gg_random_bytes(keys.audit, sizeof(keys.audit));
    rc = gg_sheet_open(&sh, argv[1], &err);
    if (!rc)
        rc = store_open(&s, argv[2], 0, &opt, &err);
    if (!rc)
        rc = gg_sheet_next(sh, &cells, &n, &line, &err) == 1 ? 0 : GG_EINVAL;
    if (!rc)
        rc = store_begin(s, &err);
    a = gg_arena_new(1 << 20);
    rows = calloc(RAW_BATCH, sizeof(*rows));
    if (!rows)
        abort();
    while (!rc && more) {
        uint64_t t0;
        /* Untimed: read and seal a batch. */
        for (k = 0; k < RAW_BATCH; k++) {
            int got = gg_sheet_next(sh, &cells, &n, &line, &err);
            if (got < 0)
                rc = got;
            if (got != 1 || n < 5) {
                more = 0;
                break;
            }
            raw_person(&keys, cells, a, &rows[k]);
        }
        t0 = gg_mono_ns();
        for (size_t i = 0; !rc && i < k; i++)
            rc = store_person_insert(s, &rows[i], 0, NULL, &err);
        ns += gg_mono_ns() - t0;
        total += (int64_t)k;
        gg_arena_reset(a);
    }
    if (!rc) {
        uint64_t t0 = gg_mono_ns();
        rc = store_commit(s, &err);
        ns += gg_mono_ns() - t0;
    }
    if (!rc)
        printf("raw_rows_per_s=%.0f rows=%" PRId64 "\n",
               (double)total * 1e9 / (double)(ns ? ns : 1), total);
    else
        cli_error(GG_LANG_EN, &err);
    free(rows);
    gg_arena_free(a);
    gg_sheet_close(&sh);
    store_close(&s);
    return rc ? CLI_FAILED : CLI_OK;
}
