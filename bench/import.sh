#!/usr/bin/env bash
# bench/import.sh - importing 1,000,000 generated persons from CSV with
# every check, the encryption of ID and phone numbers, tags, history and
# the indexes (`gridgov import persons`), against the physical limit: the
# same rows, sealed beforehand, written with the store's own prepared
# INSERT into the same schema and indexes in one transaction and nothing
# else (`gridgov bench import-raw`), in the same run. Prints
#   BENCH import_persons rows_per_s=.. raw_rows_per_s=.. ratio=..
#         rss_mb=.. rows=.. target_ratio=0.5 target_rss_mb=200 ok=0|1
# Knob: BENCH_IMPORT_ROWS (1000000).
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROWS=${BENCH_IMPORT_ROWS:-1000000}
COMMUNITY=370902001007
bench_need python3 python3
bench_need sqlite3 sqlite3
bench_build

bench_tmpdir dir
bench_log "generating $ROWS persons"
python3 "$BENCH_DIR/gen_persons.py" "$ROWS" "$COMMUNITY" "$dir/persons.csv"

# Two empty databases with the hierarchy the rows belong to.
nodes="INSERT INTO nodes(code, parent_code, level, name, created_at, updated_at) VALUES
  ('370902', NULL, 'district', '泰山区', 0, 0),
  ('370902001', '370902', 'street', '岱庙街道', 0, 0),
  ('$COMMUNITY', '370902001', 'community', '东湖社区', 0, 0)"
for g in 1 2 3 4 5 6; do
    nodes+=", ('${COMMUNITY}00$g', '$COMMUNITY', 'grid', '网格$g', 0, 0)"
done
for db in raw import; do
    "$GRIDGOV" init --db "$dir/$db.db" >/dev/null
    sqlite3 "$dir/$db.db" "$nodes"
done

bench_log "raw prepared inserts"
out=$("$GRIDGOV" bench import-raw "$dir/persons.csv" "$dir/raw.db")
RAW=$(printf '%s\n' "$out" | sed -n 's/.*raw_rows_per_s=\([0-9]*\).*/\1/p')
[[ $RAW =~ ^[0-9]+$ ]] || bench_die "cannot read: $out"

bench_log "gridgov import persons"
# Wall time of the whole command (reading, checking, sealing, writing,
# committing) and its peak resident memory.
read -r SECS RSS_KB < <(python3 - "$GRIDGOV" "$dir" "$COMMUNITY" <<'PY'
import resource, subprocess, sys, time
gridgov, d, node = sys.argv[1:4]
t0 = time.monotonic()
p = subprocess.run([gridgov, "import", "persons", d + "/persons.csv",
                    "--db", d + "/import.db", "--node", node],
                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
secs = time.monotonic() - t0
if p.returncode:
    sys.exit("import failed: " + p.stdout.decode())
print("%.3f %d" % (secs, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
PY
)
N=$(sqlite3 "$dir/import.db" "select count(*) from persons")
[[ $N == "$ROWS" ]] || bench_die "imported $N persons, expected $ROWS"
RATE=$(awk -v n="$ROWS" -v s="$SECS" 'BEGIN { printf "%.0f", n / s }')
RATIO=$(awk -v a="$RATE" -v b="$RAW" 'BEGIN { printf "%.3f", a / b }')
RSS_MB=$(awk -v k="$RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')
OK=$(awk -v r="$RATIO" -v m="$RSS_MB" 'BEGIN { print (r >= 0.5 && m <= 200) ? 1 : 0 }')
bench_emit import_persons "rows_per_s=$RATE" "raw_rows_per_s=$RAW" \
    "ratio=$RATIO" "rss_mb=$RSS_MB" "rows=$ROWS" "target_ratio=0.5" \
    "target_rss_mb=200" "ok=$OK"
