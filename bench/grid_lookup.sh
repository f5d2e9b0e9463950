#!/usr/bin/env bash
# bench/grid_lookup.sh - routing a reported point to its grid: lookups per
# second on one thread over 10,000 generated grid polygons, against the bare
# point-in-bounding-box test over the same points in the same run. Prints
#   BENCH grid_lookup lookups_per_s=.. build_ms=.. polygons=10000
#         bbox_per_s=.. strtree_lookups_per_s=.. strtree_build_ms=..
#         checked=N target_lookups_per_s=1000000 ok=0|1
# Every figure is the median of the rounds (`gridgov bench grid-lookup`,
# see src/cli/bench_geo.h). The run fails (exit 1) if any answer differs
# from a brute-force scan of every polygon. Knobs for trying things out
# (published numbers use the defaults): BENCH_GRID_LOOKUPS (2000000 points
# a round), BENCH_GRID_ROUNDS (5), BENCH_GRID_CHECK (3000 points checked).
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LOOKUPS=${BENCH_GRID_LOOKUPS:-2000000}
ROUNDS=${BENCH_GRID_ROUNDS:-5}
CHECK=${BENCH_GRID_CHECK:-3000}
TARGET=1000000

bench_build
bench_check_quiet

if ! out=$("$GRIDGOV" bench grid-lookup --lookups "$LOOKUPS" \
    --rounds "$ROUNDS" --check "$CHECK"); then
    printf '%s\n' "$out" >&2
    bench_die "gridgov bench grid-lookup failed (or disagreed with the brute-force scan)"
fi
bench_log "gridgov bench grid-lookup: $out"

# field KEY -> the value of KEY=... in the output line.
field() {
    printf '%s\n' "$out" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2; exit }'
}
RATE=$(field lookups_per_s)
BUILD_MS=$(field build_ms)
POLYGONS=$(field polygons)
BBOX=$(field bbox_per_s)
ST_RATE=$(field strtree_lookups_per_s)
ST_BUILD_MS=$(field strtree_build_ms)
CHECKED=$(field checked)
[[ $(field brute_check) == ok ]] || bench_die "brute-force check did not pass: $out"
for v in "$RATE" "$BUILD_MS" "$POLYGONS" "$BBOX" "$ST_RATE" "$ST_BUILD_MS" "$CHECKED"; do
    [[ $v =~ ^[0-9]+(\.[0-9]+)?$ ]] || bench_die "cannot read the figures in: $out"
done
bench_log "one lookup: $(awk -v r="$RATE" 'BEGIN { printf "%.0f", 1e9 / r }') ns;" \
    "GEOS STRtree + prepared: $(awk -v r="$ST_RATE" 'BEGIN { printf "%.0f", 1e9 / r }') ns;" \
    "bounding box only: $(awk -v r="$BBOX" 'BEGIN { printf "%.1f", 1e9 / r }') ns"

OK=$(awk -v r="$RATE" -v t="$TARGET" 'BEGIN { print (r >= t) ? 1 : 0 }')
bench_emit grid_lookup "lookups_per_s=$RATE" "build_ms=$BUILD_MS" \
    "polygons=$POLYGONS" "bbox_per_s=$BBOX" \
    "strtree_lookups_per_s=$ST_RATE" "strtree_build_ms=$ST_BUILD_MS" \
    "checked=$CHECKED" "target_lookups_per_s=$TARGET" "ok=$OK"
