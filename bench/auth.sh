#!/usr/bin/env bash
# bench/auth.sh - an authenticated, scope-checked GET of one object
# (GET /api/v1/nodes/{code} with a session cookie) against GET
# /api/v1/health of the same server, in the same run; and what one login
# costs. Prints
#   BENCH auth_get rps=.. p99_ms=.. health_rps=.. ratio=.. argon2_ms=..
#         login_ms=.. target_ratio=0.7 ok=0|1 errors=N
# ratio = rps / health_rps (medians over ROUNDS wrk runs, taking turns);
# argon2_ms = one Argon2id verification (libsodium, interactive cost) as the
# server runs it, measured by `gridgov bench hash`;
# login_ms = a whole POST /api/v1/session over HTTP (median of 10).
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=${BENCH_AUTH_ROUNDS:-3}
DURATION=${BENCH_AUTH_DURATION:-10s}
WARMUP=${BENCH_AUTH_WARMUP:-2s}
CONNS=${BENCH_AUTH_CONNECTIONS:-64}
THREADS=${BENCH_AUTH_THREADS:-2}
TARGET_RATIO=0.7
OBJECT=/api/v1/nodes/370902001007   # 东湖社区, inside dh_admin's street

bench_need wrk wrk
bench_need curl curl
bench_build
bench_tmpdir TMP

"$GRIDGOV" demo --db "$TMP/b.db" >&2 || bench_die "gridgov demo failed"
# health_check_ms = 0: the health probe reads the store on every request,
# so the ratio is the price of authentication and scope on one store read,
# not of the store read itself (which the cached probe skips).
cat >"$TMP/bench.conf" <<'CONF'
access_log = false
shutdown_grace_s = 2
login_rate_max = 100000
health_check_ms = 0
CONF
GG_PID=""
BASE=""
bench_gridgov_start "$TMP" "$TMP/bench.conf" GG_PID BASE

# ---- logins: 10, one after another
login() {
    curl -sS -o /dev/null -D "$TMP/login.headers" -w '%{time_total}\n' \
        -H 'Content-Type: application/json' \
        -d '{"username":"dh_admin","password":"Gridgov@Demo2026"}' \
        "$BASE/api/v1/session"
}
times=()
for ((i = 0; i < 10; i++)); do
    times+=("$(login)")
done
LOGIN_MS=$(awk -v s="$(bench_median "${times[@]}")" 'BEGIN { printf "%.1f", s * 1000 }')
COOKIE=$(grep -o 'gg_session=[^;]*' "$TMP/login.headers") || bench_die "no session cookie"
curl -sS --fail -H "Cookie: $COOKIE" "$BASE$OBJECT" >/dev/null || bench_die "GET $OBJECT failed"
ARGON_MS=$("$GRIDGOV" bench hash 2>/dev/null | awk '/argon2_ms=/ { sub(/.*argon2_ms=/, ""); print $1 }')
[[ -n $ARGON_MS ]] || bench_die "gridgov bench hash gave no figure"
bench_log "login: median $LOGIN_MS ms over HTTP; Argon2id alone $ARGON_MS ms"

# ---- load: health and the authenticated GET take turns
bench_check_quiet
run_one() {
    local label=$1 round=$2 out=$TMP/$1.$2.wrk res
    shift 2
    bench_wrk "$TMP/$label.$round.warmup" -t"$THREADS" -c"$CONNS" -d"$WARMUP" "$@"
    bench_wrk "$out" -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$@"
    bench_alive "$GG_PID" || bench_die "gridgov died under load"
    res=$(bench_wrk_parse "$out") || { cat "$out" >&2; bench_die "cannot parse wrk output"; }
    bench_log "round $round $label: $res (rps p99 p50 requests errors)"
    echo "$res" >>"$TMP/$label.results"
}
for ((r = 1; r <= ROUNDS; r++)); do
    run_one health "$r" "$BASE/api/v1/health"
    run_one auth "$r" -H "Cookie: $COOKIE" "$BASE$OBJECT"
done

col() { awk -v c="$2" '{ print $c }' "$TMP/$1.results"; }
mapfile -t v <<<"$(col auth 1)"; RPS=$(bench_median "${v[@]}")
mapfile -t v <<<"$(col auth 2)"; P99=$(bench_median "${v[@]}")
mapfile -t v <<<"$(col health 1)"; HEALTH=$(bench_median "${v[@]}")
ERR=$(awk '{ s += $5 } END { print s + 0 }' "$TMP/auth.results")
RATIO=$(awk -v a="$RPS" -v b="$HEALTH" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
OK=$(awk -v r="$RATIO" -v t="$TARGET_RATIO" -v e="$ERR" 'BEGIN { print (r >= t && e == 0) ? 1 : 0 }')

bench_emit auth_get "rps=$(bench_fmt 0 "$RPS")" "p99_ms=$(bench_fmt 2 "$P99")" \
    "health_rps=$(bench_fmt 0 "$HEALTH")" "ratio=$RATIO" \
    "argon2_ms=$ARGON_MS" "login_ms=$LOGIN_MS" \
    "target_ratio=$TARGET_RATIO" "ok=$OK" "errors=$ERR"
