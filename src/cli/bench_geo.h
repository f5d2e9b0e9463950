/*
 * bench_geo.h - gridgov bench grid-lookup: the point -> grid lookup on one
 * thread over a generated city of 10,000 grids (bench/grid_lookup.sh).
 *
 * argv is what follows "gridgov bench": an optional "grid-lookup" word and
 * the options --lookups N, --rounds N, --check N, --seed N. Prints one line
 * of key=value pairs on stdout:
 *
 *   lookups_per_s=... build_ms=... polygons=10000 brute_check=ok
 *   bbox_per_s=... strtree_lookups_per_s=... strtree_build_ms=...
 *   parse_ms=... lookups=... rounds=... hit_pct=... checked=...
 *
 * lookups_per_s and build_ms are GEO_INDEX_CELLS (medians of the rounds),
 * strtree_* the GEOS STRtree over prepared geometries, bbox_per_s a bare
 * point-in-bounding-box test over the same points (the floor: reading the
 * points). Returns CLI_OK, CLI_USAGE, or CLI_FAILED (also when an answer
 * differs from the brute-force scan; the line then says brute_check=fail).
 */
#ifndef CLI_BENCH_GEO_H
#define CLI_BENCH_GEO_H

int bench_grid_lookup(int argc, char **argv);

#endif
