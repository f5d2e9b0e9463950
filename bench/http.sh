#!/usr/bin/env bash
# bench/http.sh - GET /api/v1/health of gridgov against nginx returning the
# same body, in the same run, on the same machine. Prints
#   BENCH http_health rps=.. p99_ms=.. nginx_rps=.. nginx_p99_ms=.. ratio=..
#         rss_mb=.. target_ratio=0.9 target_rss_mb=30 ok=0|1 errors=N nginx_errors=N
# rps / p99 are medians over ROUNDS wrk runs each, nginx and gridgov taking
# turns; ratio = rps / nginx_rps; rss_mb = gridgov's peak RSS (VmHWM) after
# the load. Knobs for trying things out (published numbers use the defaults):
# BENCH_HTTP_ROUNDS (3), BENCH_HTTP_DURATION (10s), BENCH_HTTP_WARMUP (2s),
# BENCH_HTTP_CONNECTIONS (64), BENCH_HTTP_THREADS (2).
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=${BENCH_HTTP_ROUNDS:-3}
DURATION=${BENCH_HTTP_DURATION:-10s}
WARMUP=${BENCH_HTTP_WARMUP:-2s}
CONNS=${BENCH_HTTP_CONNECTIONS:-64}
THREADS=${BENCH_HTTP_THREADS:-2}
TARGET_RATIO=0.9
TARGET_RSS_MB=30
PATH_HEALTH=/api/v1/health

bench_need wrk wrk
bench_need nginx nginx-light
bench_need curl curl
bench_build

bench_tmpdir TMP

# ---- gridgov
"$GRIDGOV" init --db "$TMP/b.db" >&2 || bench_die "gridgov init failed"
cat >"$TMP/bench.conf" <<'EOF'
access_log = false
shutdown_grace_s = 2
EOF
GG_PID=""
GG_BASE=""
bench_gridgov_start "$TMP" "$TMP/bench.conf" GG_PID GG_BASE
GG_URL="$GG_BASE$PATH_HEALTH"
bench_log "gridgov pid $GG_PID on $GG_URL"

# ---- nginx serving the same body
curl -sS --fail -D "$TMP/gg.headers" -o "$TMP/body" "$GG_URL" || bench_die "fetching $GG_URL failed"
body=$(cat "$TMP/body"; printf x)
body=${body%x}
[[ -n $body ]] || bench_die "empty health body"
NG_PORT=$(bench_free_port)
NG_PID=""
bench_nginx_start "$TMP/nginx" "$NG_PORT" "        location = $PATH_HEALTH {
            default_type application/json;
            return 200 $(bench_nginx_string "$body");
        }" NG_PID
NG_URL="http://127.0.0.1:$NG_PORT$PATH_HEALTH"
if ! bench_wait_http "$NG_URL" 10 "$NG_PID"; then
    cat "$TMP/nginx/error.log" "$TMP/nginx/stderr.log" >&2 || true
    bench_die "nginx did not answer 200 on $NG_URL within 10 s"
fi
curl -sS --fail -D "$TMP/ng.headers" -o "$TMP/nginx.body" "$NG_URL" || bench_die "fetching $NG_URL failed"
cmp -s "$TMP/body" "$TMP/nginx.body" || bench_die "nginx does not serve the same body as gridgov"
bench_log "nginx pid $NG_PID on $NG_URL; body $(wc -c <"$TMP/body") bytes: $body"
bench_log "response header bytes: gridgov $(wc -c <"$TMP/gg.headers"), nginx $(wc -c <"$TMP/ng.headers")"

# ---- load: nginx and gridgov take turns
bench_check_quiet
# run_one LABEL URL PID ROUND -> appends "rps p99 p50 requests errors" to $TMP/LABEL.results
run_one() {
    local label=$1 url=$2 pid=$3 round=$4 out res rps p99 p50 req err acc0 acc1
    out=$TMP/$label.$round.wrk
    bench_wrk "$TMP/$label.$round.warmup" -t"$THREADS" -c"$CONNS" -d"$WARMUP" "$url"
    acc0=$(bench_tcp_accepts)
    bench_wrk "$out" -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$url"
    acc1=$(bench_tcp_accepts)
    if ! bench_alive "$pid"; then
        cat "$out" >&2
        tail -n 50 "$TMP/gridgov.err" "$TMP/nginx/error.log" >&2 2>/dev/null || true
        bench_die "$label (pid $pid) died under load in round $round"
    fi
    res=$(bench_wrk_parse "$out") || { cat "$out" >&2; bench_die "cannot parse wrk output for $label"; }
    read -r rps p99 p50 req err <<<"$res"
    bench_log "round $round $label: rps=$rps p50_ms=$p50 p99_ms=$p99 requests=$req errors=$err accepted_connections=$((acc1 - acc0))"
    if ((err > 0)); then
        bench_log "$label round $round had errors:"
        grep -E 'Socket errors|Non-2xx' "$out" >&2 || true
    fi
    echo "$res" >>"$TMP/$label.results"
}

for ((r = 1; r <= ROUNDS; r++)); do
    run_one nginx "$NG_URL" "$NG_PID" "$r"
    run_one gridgov "$GG_URL" "$GG_PID" "$r"
done

col() { awk -v c="$2" '{ print $c }' "$TMP/$1.results"; }
sum() { awk -v c="$2" '{ s += $c } END { print s + 0 }' "$TMP/$1.results"; }

mapfile -t v <<<"$(col gridgov 1)"; GG_RPS=$(bench_median "${v[@]}")
mapfile -t v <<<"$(col gridgov 2)"; GG_P99=$(bench_median "${v[@]}")
mapfile -t v <<<"$(col nginx 1)"; NG_RPS=$(bench_median "${v[@]}")
mapfile -t v <<<"$(col nginx 2)"; NG_P99=$(bench_median "${v[@]}")
GG_ERR=$(sum gridgov 5)
NG_ERR=$(sum nginx 5)
RATIO=$(awk -v a="$GG_RPS" -v b="$NG_RPS" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')

bench_alive "$GG_PID" || bench_die "gridgov died"
HWM_KB=$(bench_hwm_kb "$GG_PID")
RSS_MB=$(bench_kb_to_mb "$HWM_KB")
bench_log "gridgov VmRSS now $(bench_kb_to_mb "$(bench_rss_kb "$GG_PID")") MB, VmHWM $RSS_MB MB"

OK=$(awk -v r="$RATIO" -v tr="$TARGET_RATIO" -v m="$RSS_MB" -v tm="$TARGET_RSS_MB" -v e="$GG_ERR" \
    'BEGIN { print (r >= tr && m <= tm && e == 0) ? 1 : 0 }')

bench_emit http_health \
    "rps=$(bench_fmt 0 "$GG_RPS")" "p99_ms=$(bench_fmt 2 "$GG_P99")" \
    "nginx_rps=$(bench_fmt 0 "$NG_RPS")" "nginx_p99_ms=$(bench_fmt 2 "$NG_P99")" \
    "ratio=$RATIO" "rss_mb=$RSS_MB" \
    "target_ratio=$TARGET_RATIO" "target_rss_mb=$TARGET_RSS_MB" "ok=$OK" \
    "errors=$GG_ERR" "nginx_errors=$NG_ERR"
