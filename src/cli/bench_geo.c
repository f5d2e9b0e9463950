/* bench_geo.c - gridgov bench grid-lookup; see bench_geo.h. */
#include "core/gg.h"

#include <math.h>

#include "cli/bench_geo.h"
#include "cli/cli.h"
#include "core/gg_mem.h"
#include "core/gg_parse.h"
#include "core/gg_time.h"
#include "domain/geo.h"

/* A 100 x 100 lattice of slightly irregular quadrilaterals, each about
 * 225 m x 220 m, over a city-sized patch (22 km x 22 km) near 117.1E
 * 36.2N (Tai'an / Jinan). */
#define BG_N 100
#define BG_X0 117.0
#define BG_Y0 36.1
#define BG_DX 0.0025
#define BG_DY 0.002
#define BG_STRTREE_MAX 500000 /* STRtree lookups per round, at most */

static const struct cli_option bg_opts[] = {
    {"lookups", NULL, MSG_OPT_BENCH_LOOKUPS, 1},
    {"rounds", NULL, MSG_OPT_BENCH_ROUNDS, 1},
    {"check", NULL, MSG_OPT_BENCH_CHECK, 1},
    {"seed", NULL, MSG_OPT_BENCH_SEED, 1},
};

static uint64_t
bg_rng(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double
bg_unit(uint64_t *s) /* [0, 1) */
{
    return (double)(bg_rng(s) >> 11) / 9007199254740992.0;
}

static int
bg_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double
bg_median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), bg_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
bg_number(const struct cli_args *args, const char *name, int64_t min,
          int64_t max, int64_t *out)
{
    const char *v = cli_value(args, bg_opts, GG_ARRAY_LEN(bg_opts), name);
    struct gg_err err;

    if (!v)
        return 0;
    if (gg_parse_i64(v, min, max, out)) {
        gg_failf(&err, GG_EINVAL, "", MSG_CLI_BAD_VALUE, "--%s %.40s", name, v);
        cli_error(args->lang, &err);
        return -1;
    }
    return 0;
}

/* The grids, parsed from GeoJSON text as the registry would. */
static int
bg_make_grids(uint64_t *seed, struct geo_shape **shapes, int64_t *ids,
              double *vx, double *vy, struct gg_err *err)
{
    char text[512];
    size_t n = 0;
    int rc;

    for (int j = 0; j <= BG_N; j++) {
        for (int i = 0; i <= BG_N; i++) {
            double jx = 0, jy = 0;
            if (i > 0 && i < BG_N)
                jx = (bg_unit(seed) - 0.5) * BG_DX * 0.4;
            if (j > 0 && j < BG_N)
                jy = (bg_unit(seed) - 0.5) * BG_DY * 0.4;
            vx[j * (BG_N + 1) + i] =
                round((BG_X0 + i * BG_DX + jx) * 1e9) / 1e9;
            vy[j * (BG_N + 1) + i] =
                round((BG_Y0 + j * BG_DY + jy) * 1e9) / 1e9;
        }
    }
    for (int j = 0; j < BG_N; j++) {
        for (int i = 0; i < BG_N; i++) {
            int a = j * (BG_N + 1) + i, b = a + 1, c = b + BG_N + 1,
                d = a + BG_N + 1;
            snprintf(text, sizeof(text),
                     "{\"type\":\"Polygon\",\"coordinates\":[[[%.9f,%.9f],"
                     "[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f]]]}",
                     vx[a], vy[a], vx[b], vy[b], vx[c], vy[c], vx[d], vy[d],
                     vx[a], vy[a]);
            rc = geo_polygon_parse_text(text, strlen(text), "grid", &shapes[n],
                                        err);
            if (rc)
                return rc;
            n++;
        }
    }
    /* Ids in a shuffled order: the index must not rely on input order. */
    for (size_t k = 0; k < n; k++)
        ids[k] = (int64_t)k + 1;
    for (size_t k = n - 1; k > 0; k--) {
        size_t r = bg_rng(seed) % (k + 1);
        int64_t t = ids[k];
        ids[k] = ids[r];
        ids[r] = t;
    }
    return 0;
}

/* The lowest id whose polygon covers the point, asking GEOS polygon by
 * polygon with no index: -1 for none. */
static int
bg_brute(struct geo_shape *const *shapes, const int64_t *ids, size_t n,
         double x, double y, int64_t *out, struct gg_err *err)
{
    *out = -1;
    for (size_t k = 0; k < n; k++) {
        double bb[4];
        bool covers;
        int rc;
        geo_shape_bbox(shapes[k], bb);
        if (x < bb[0] || x > bb[2] || y < bb[1] || y > bb[3])
            continue;
        rc = geo_shape_covers(shapes[k], x, y, &covers, err);
        if (rc)
            return rc;
        if (covers && (*out < 0 || ids[k] < *out))
            *out = ids[k];
    }
    return 0;
}

/* Lookups over n points: the rate, a checksum of the answers, how many
 * points were in a grid. */
static int
bg_time_lookups(const struct geo_index *idx, const double *x, const double *y,
                size_t n, double *rate, int64_t *sum, size_t *found,
                struct gg_err *err)
{
    uint64_t t0 = gg_mono_ns();
    int64_t s = 0, id;
    size_t f = 0;
    int rc;

    for (size_t i = 0; i < n; i++) {
        rc = geo_index_lookup(idx, x[i], y[i], &id, err);
        if (rc == GG_ENOTFOUND)
            continue;
        if (rc)
            return rc;
        s += id;
        f++;
    }
    *rate = (double)n / ((double)(gg_mono_ns() - t0 + 1) / 1e9);
    *sum = s;
    *found = f;
    return 0;
}

/* The floor: is the point in the city's bounding box, nothing more. */
static double
bg_time_bbox(const double *x, const double *y, size_t n, const double bb[4],
             size_t *hits)
{
    uint64_t t0 = gg_mono_ns();
    size_t h = 0;

    for (size_t i = 0; i < n; i++)
        h += (x[i] >= bb[0]) & (x[i] <= bb[2]) & (y[i] >= bb[1]) &
             (y[i] <= bb[3]);
    *hits = h;
    return (double)n / ((double)(gg_mono_ns() - t0 + 1) / 1e9);
}

int
bench_grid_lookup(int argc, char **argv)
{
    const size_t n = (size_t)BG_N * BG_N;
    struct geo_shape **shapes = gg_xcalloc(n, sizeof(*shapes));
    int64_t *ids = gg_xcalloc(n, sizeof(*ids));
    double *vx = gg_xcalloc((BG_N + 1) * (BG_N + 1), sizeof(double));
    double *vy = gg_xcalloc((BG_N + 1) * (BG_N + 1), sizeof(double));
    double *x = NULL, *y = NULL, *rate = NULL, *build = NULL, *srate = NULL,
           *sbuild = NULL, *brate = NULL;
    int64_t lookups = 2000000, rounds = 5, check = 3000, seed_opt = 1;
    struct geo_index *idx = NULL, *sidx = NULL;
    struct cli_args args;
    struct gg_err err;
    uint64_t seed, t0;
    double bb[4], parse_ms, hit_pct = 0;
    size_t hits = 0, nst, found = 0, sfound = 0;
    int64_t sum = 0, ssum = 0;
    int done, rc, ret = CLI_FAILED, mismatches = 0;

    rc = cli_parse("bench", bg_opts, GG_ARRAY_LEN(bg_opts), argc, argv, &args,
                   &done);
    if (rc || done) {
        ret = rc;
        goto out;
    }
    if (args.word && strcmp(args.word, "grid-lookup")) {
        gg_fail(&err, GG_EINVAL, "", MSG_CLI_BENCH_GEO_USAGE);
        cli_error(args.lang, &err);
        ret = CLI_USAGE;
        goto out;
    }
    if (bg_number(&args, "lookups", 1, 100000000, &lookups) ||
        bg_number(&args, "rounds", 1, 101, &rounds) ||
        bg_number(&args, "check", 0, 1000000, &check) ||
        bg_number(&args, "seed", 0, INT64_MAX, &seed_opt)) {
        ret = CLI_USAGE;
        goto out;
    }
    seed = (uint64_t)seed_opt;

    t0 = gg_mono_ns();
    if (bg_make_grids(&seed, shapes, ids, vx, vy, &err))
        goto fail;
    parse_ms = (double)(gg_mono_ns() - t0) / 1e6;
    bb[0] = BG_X0;
    bb[1] = BG_Y0;
    bb[2] = BG_X0 + BG_N * BG_DX;
    bb[3] = BG_Y0 + BG_N * BG_DY;

    /* Uniform points over the city and a 2% margin (some miss). */
    x = gg_xmalloc(sizeof(double) * (size_t)lookups);
    y = gg_xmalloc(sizeof(double) * (size_t)lookups);
    for (int64_t i = 0; i < lookups; i++) {
        x[i] = bb[0] - 0.02 * (bb[2] - bb[0]) +
               bg_unit(&seed) * 1.04 * (bb[2] - bb[0]);
        y[i] = bb[1] - 0.02 * (bb[3] - bb[1]) +
               bg_unit(&seed) * 1.04 * (bb[3] - bb[1]);
    }
    nst = (size_t)lookups < BG_STRTREE_MAX ? (size_t)lookups : BG_STRTREE_MAX;

    rate = gg_xcalloc((size_t)rounds, sizeof(double));
    build = gg_xcalloc((size_t)rounds, sizeof(double));
    srate = gg_xcalloc((size_t)rounds, sizeof(double));
    sbuild = gg_xcalloc((size_t)rounds, sizeof(double));
    brate = gg_xcalloc((size_t)rounds, sizeof(double));
    for (int64_t r = 0; r < rounds; r++) {
        int64_t s1, s2;
        /* Our index, the bounding-box floor, GEOS's STRtree: in turns, so
         * a change in the machine's load hits all three. */
        geo_index_free(idx);
        idx = NULL;
        t0 = gg_mono_ns();
        if (geo_index_build((const struct geo_shape *const *)shapes, ids, n,
                            GEO_INDEX_CELLS, &idx, &err))
            goto fail;
        build[r] = (double)(gg_mono_ns() - t0) / 1e6;
        if (bg_time_lookups(idx, x, y, (size_t)lookups, &rate[r], &s1, &found,
                            &err))
            goto fail;
        brate[r] = bg_time_bbox(x, y, (size_t)lookups, bb, &hits);

        geo_index_free(sidx);
        sidx = NULL;
        t0 = gg_mono_ns();
        if (geo_index_build((const struct geo_shape *const *)shapes, ids, n,
                            GEO_INDEX_STRTREE, &sidx, &err))
            goto fail;
        sbuild[r] = (double)(gg_mono_ns() - t0) / 1e6;
        if (bg_time_lookups(sidx, x, y, nst, &srate[r], &s2, &sfound, &err))
            goto fail;
        if (r == 0) {
            sum = s1;
            ssum = s2;
        } else if (s1 != sum || s2 != ssum) {
            mismatches++; /* a round answered differently */
        }
    }
    hit_pct = 100.0 * (double)found / (double)lookups;
    (void)sfound;

    /* Brute force: random points and lattice vertices (the borders). */
    for (int64_t i = 0; i < check; i++) {
        double px, py;
        int64_t want, got, sgot;
        int rc1, rc2;
        if (i % 4 == 3) {
            size_t v = bg_rng(&seed) % ((BG_N + 1) * (BG_N + 1));
            px = vx[v];
            py = vy[v];
        } else {
            px = x[bg_rng(&seed) % (uint64_t)lookups];
            py = y[bg_rng(&seed) % (uint64_t)lookups];
        }
        if (bg_brute(shapes, ids, n, px, py, &want, &err))
            goto fail;
        rc1 = geo_index_lookup(idx, px, py, &got, &err);
        rc2 = geo_index_lookup(sidx, px, py, &sgot, &err);
        if ((rc1 && rc1 != GG_ENOTFOUND) || (rc2 && rc2 != GG_ENOTFOUND))
            goto fail;
        if ((rc1 ? -1 : got) != want || (rc2 ? -1 : sgot) != want) {
            char what[160];
            snprintf(what, sizeof(what),
                     "%.9f %.9f: index %" PRId64 ", strtree %" PRId64
                     ", brute force %" PRId64,
                     px, py, rc1 ? -1 : got, rc2 ? -1 : sgot, want);
            gg_failf(&err, GG_EINTERNAL, "", MSG_CLI_BENCH_GEO_MISMATCH, "%s",
                     what);
            cli_error(args.lang, &err);
            mismatches++;
        }
    }

    printf("lookups_per_s=%.0f build_ms=%.2f polygons=%zu brute_check=%s "
           "bbox_per_s=%.0f strtree_lookups_per_s=%.0f strtree_build_ms=%.2f "
           "parse_ms=%.1f lookups=%" PRId64 " rounds=%" PRId64
           " hit_pct=%.1f in_bbox_pct=%.1f checked=%" PRId64 "\n",
           bg_median(rate, (size_t)rounds), bg_median(build, (size_t)rounds), n,
           mismatches ? "fail" : "ok", bg_median(brate, (size_t)rounds),
           bg_median(srate, (size_t)rounds), bg_median(sbuild, (size_t)rounds),
           parse_ms, lookups, rounds, hit_pct,
           100.0 * (double)hits / (double)lookups, check);
    ret = mismatches ? CLI_FAILED : CLI_OK;
    goto out;
fail:
    cli_error(args.lang, &err);
out:
    geo_index_free(idx);
    geo_index_free(sidx);
    for (size_t k = 0; k < n; k++)
        geo_shape_free(shapes[k]);
    free(shapes);
    free(ids);
    free(vx);
    free(vy);
    free(x);
    free(y);
    free(rate);
    free(build);
    free(srate);
    free(sbuild);
    free(brate);
    return ret;
}
