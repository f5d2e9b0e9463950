#!/usr/bin/env bash
# bench/cases.sh - the case engine's writes. Prints
#   BENCH case_transitions tps_1=.. tps_64=.. raw_tps=.. ratio_64=.. lost=..
#         target_ratio=3 ok=0|1
#   BENCH overdue_sweep ms=.. cases=1000000 marked=.. target_ms=200 ok=0|1
#
# case_transitions: durable state changes per second over HTTP against a
# real `gridgov serve` on SQLite (synchronous=FULL), with 1 and with 64
# clients. One street-centre account (made the way an administrator does:
# `gridgov init --admin`, second factor, POST /accounts) owns one issue per
# client, accepted and dispatched to itself; each client (a wrk thread with
# one connection and its own Lua state, act.lua below) loops start ->
# report_back -> rework -> start ... on its own case with POST
# /cases/{id}/actions, without "version". Only 200 answers count. raw_tps: the store operations
# of one such transition (get, update, log) committed one transaction at a
# time on one thread, `gridgov bench case-raw`, in the same run; ratio_64 =
# tps_64 / raw_tps (group commit: one fsync per batch). lost: after the
# load the server is stopped with SIGTERM and the acknowledged transitions
# must all be in case_log (lost = acknowledged - present, at least 0).
# ok = ratio_64 >= 3 and lost = 0.
#
# overdue_sweep: `gridgov bench sweep` fills a database with 1,000,000 open
# cases over the six grids of a community, 1 % of them crossing their
# yellow or red mark now, and times one whole sweep as the server's writer
# runs it (case_sweep, 1000 per call, with its notifications); marked must
# equal the cases due. ok = ms <= 200 and every due case marked.
#
# Knobs: BENCH_CASES_DURATION (10, seconds per measurement),
# BENCH_CASES_WARMUP (2), BENCH_CASES_SWEEP (1000000 cases).
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${BENCH_CASES_DURATION:-10}
DURATION=${DURATION%s}
WARMUP=${BENCH_CASES_WARMUP:-2}
WARMUP=${WARMUP%s}
SWEEP_CASES=${BENCH_CASES_SWEEP:-1000000}
CLIENTS=64
TARGET_RATIO=3
TARGET_MS=200
STREET=370902001
COMMUNITY=370902001007
GRID=${COMMUNITY}001
[[ $DURATION =~ ^[0-9]+$ && $DURATION -gt 0 ]] || bench_die "BENCH_CASES_DURATION must be whole seconds"
[[ $WARMUP =~ ^[0-9]+$ ]] || bench_die "BENCH_CASES_WARMUP must be whole seconds"

bench_need wrk wrk
bench_need sqlite3 sqlite3
bench_need python3 python3
bench_need curl curl
bench_build
bench_tmpdir TMP

# The hierarchy under the district `gridgov init --region` makes.
nodes="INSERT OR IGNORE INTO nodes(code, parent_code, level, name, created_at, updated_at) VALUES
  ('370902', NULL, 'district', '泰山区', 0, 0),
  ('$STREET', '370902', 'street', '岱庙街道', 0, 0),
  ('$COMMUNITY', '$STREET', 'community', '东湖社区', 0, 0)"
for g in 1 2 3 4 5 6; do
    nodes+=", ('${COMMUNITY}00$g', '$COMMUNITY', 'grid', '网格$g', 0, 0)"
done

# ---------------------------------------------------------------- server

GRIDGOV_LANG=zh "$GRIDGOV" init --db "$TMP/b.db" --admin secadmin --region 370902 \
    --region-name 泰山区 >"$TMP/init.out" 2>"$TMP/init.err" ||
    { cat "$TMP/init.out" "$TMP/init.err" >&2; bench_die "gridgov init failed"; }
ADMIN_PW=$(tail -n1 "$TMP/init.out" | sed 's/.*：//')
[[ ${#ADMIN_PW} -ge 12 ]] || bench_die "cannot read the administrator's password from gridgov init"
sqlite3 "$TMP/b.db" "$nodes"
cat >"$TMP/bench.conf" <<'EOF'
access_log = false
shutdown_grace_s = 10
login_rate_max = 1000
EOF
GG_PID=""
BASE=""
bench_gridgov_start "$TMP" "$TMP/bench.conf" GG_PID BASE
bench_log "gridgov pid $GG_PID on $BASE"

# The accounts and one dispatched case per client of each run: warm-up,
# 1 client, $CLIENTS clients. Prints shell assignments.
cat >"$TMP/setup.py" <<'PY'
import base64, hashlib, hmac, http.client, json, struct, sys, time

base, admin_pw, street, grid = sys.argv[1:5]
groups = [int(x) for x in sys.argv[5:]]
host, port = base.split("//")[1].split(":")


def totp(secret):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30),
                   hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7fffffff)
                     % 1000000)


class Client:
    def __init__(self):
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        self.cookie = self.csrf = None

    def req(self, method, path, body=None, want=200):
        h = {}
        if body is not None:
            h["Content-Type"] = "application/json"
        if self.cookie:
            h["Cookie"] = self.cookie
        if self.csrf and method != "GET":
            h["X-CSRF-Token"] = self.csrf
        self.conn.request(method, path,
                          json.dumps(body) if body is not None else None, h)
        r = self.conn.getresponse()
        data = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie" and v.startswith("gg_session="):
                self.cookie = v.split(";")[0]
        if r.status != want:
            sys.exit("setup: %s %s answered %d: %s" % (
                method, path, r.status, data[:300].decode(errors="replace")))
        return json.loads(data) if data else None

    def login(self, user, password):
        self.csrf = self.req("POST", "/api/v1/session", {
            "username": user, "password": password})["csrf_token"]


# The security administrator: a new password and a second factor first.
adm = Client()
adm.login("secadmin", admin_pw)
adm.req("PUT", "/api/v1/me/password", {
    "old_password": admin_pw, "new_password": "Bench-Admin-2026-pw"}, 204)
secret = adm.req("POST", "/api/v1/me/totp")["secret"]
adm.req("POST", "/api/v1/me/totp/confirm", {"code": totp(secret)}, 204)
made = adm.req("POST", "/api/v1/accounts", {
    "username": "bench_center", "display_name": "街道指挥中心",
    "home_node": street,
    "roles": [{"role": "street_center", "node_code": street}]}, 201)
account = made["account"]["id"]
c = Client()
c.login("bench_center", made["initial_password"])
c.req("PUT", "/api/v1/me/password", {
    "old_password": made["initial_password"],
    "new_password": "Bench-Center-2026-pw"}, 204)
print("COOKIE='%s'" % c.cookie)
print("CSRF='%s'" % c.csrf)
for g, n in enumerate(groups):
    ids = []
    for i in range(n):
        j = c.req("POST", "/api/v1/cases", {
            "family": "issue", "category": "sanitation",
            "title": "东门外垃圾堆放 %d-%d" % (g, i), "node_code": grid}, 201)
        cid = j["id"]
        c.req("POST", "/api/v1/cases/%d/actions" % cid, {"action": "accept"})
        j = c.req("POST", "/api/v1/cases/%d/actions" % cid, {
            "action": "dispatch",
            "assignee": {"kind": "account", "id": account}})
        if j["state"] != "dispatched" or "start" not in j["actions"]:
            sys.exit("setup: case %d is %s, may %s" % (
                cid, j["state"], j["actions"]))
        ids.append(str(cid))
    print("CASES_%d=%s" % (g, ",".join(ids)))
PY
python3 "$TMP/setup.py" "$BASE" "$ADMIN_PW" "$STREET" "$GRID" "$CLIENTS" 1 "$CLIENTS" \
    >"$TMP/setup.vars" || bench_die "setting up the account and cases failed"
COOKIE="" CSRF="" CASES_0="" CASES_1="" CASES_2=""
# shellcheck disable=SC1091
source "$TMP/setup.vars"
[[ -n $COOKIE && -n $CSRF && -n $CASES_2 ]] || bench_die "setup gave no session or cases"

# One wrk thread per client, one connection each, so each thread's Lua
# state is one client: it moves its own case on after every 200 and
# repeats the same action otherwise (a refused or failed write left the
# case where it was).
cat >"$TMP/act.lua" <<'LUA'
local ids = {}
for id in string.gmatch(os.getenv("BENCH_CASE_IDS") or "", "%d+") do
    ids[#ids + 1] = id
end
local threads = {}

function setup(thread)
    local k = #threads + 1
    if not ids[k] then
        error("more threads than cases")
    end
    thread:set("case_id", ids[k])
    threads[k] = thread
end

local path, hdrs, bodies, step
function init(args)
    path = "/api/v1/cases/" .. case_id .. "/actions"
    hdrs = {
        ["Content-Type"] = "application/json",
        ["Cookie"] = os.getenv("BENCH_COOKIE"),
        ["X-CSRF-Token"] = os.getenv("BENCH_CSRF"),
    }
    bodies = {
        '{"action":"start"}',
        '{"action":"report_back","note":"已清运完毕，现场已清理"}',
        '{"action":"rework","note":"核查未通过，东门外仍有垃圾，请重新处理"}',
    }
    step = 1
    ok = 0
    bad = 0
end

function request()
    return wrk.format("POST", path, hdrs, bodies[step])
end

function response(status, headers, body)
    if status == 200 then
        ok = ok + 1
        step = step % 3 + 1
    else
        bad = bad + 1
        if bad <= 2 then
            io.stderr:write("case " .. case_id .. ": " .. status .. " " ..
                body:sub(1, 200) .. "\n")
        end
    end
end

function done(summary, latency, requests)
    local o, b = 0, 0
    for _, t in ipairs(threads) do
        o = o + t:get("ok")
        b = b + t:get("bad")
    end
    io.write(string.format("CASES ok=%d bad=%d us=%d p50_us=%d p99_us=%d\n",
        o, b, summary.duration, latency:percentile(50),
        latency:percentile(99)))
end
LUA

ACKED=0
commits() { curl -s "$BASE/metrics" | awk '$1 == "gridgov_case_commits_total" { print $2 }'; }
# load LABEL CLIENTS IDS SECONDS -> sets TPS (acknowledged per second).
load() {
    local label=$1 n=$2 ids=$3 secs=$4 out=$TMP/$1.wrk ok bad us p50 p99 c0 c1
    c0=$(commits)
    BENCH_CASE_IDS=$ids BENCH_COOKIE=$COOKIE BENCH_CSRF=$CSRF \
        bench_wrk "$out" -t"$n" -c"$n" -d"${secs}s" --timeout 10s -s "$TMP/act.lua" "$BASE/"
    if ! bench_alive "$GG_PID"; then
        cat "$out" >&2
        tail -n 30 "$TMP/gridgov.err" >&2 || true
        bench_die "gridgov died under load ($label)"
    fi
    c1=$(commits)
    read -r ok bad us p50 p99 < <(awk '$1 == "CASES" { for (i = 2; i <= NF; i++) {
        split($i, kv, "="); v[kv[1]] = kv[2] }
        print v["ok"], v["bad"], v["us"], v["p50_us"], v["p99_us"] }' "$out") ||
        { cat "$out" >&2; bench_die "no result from wrk ($label)"; }
    ACKED=$((ACKED + ok))
    TPS=$(awk -v o="$ok" -v u="$us" 'BEGIN { printf "%.0f", (u > 0 ? o * 1e6 / u : 0) }')
    bench_log "$(awk -v l="$label" -v n="$n" -v o="$ok" -v b="$bad" -v u="$us" -v t="$TPS" \
        -v p50="$p50" -v p99="$p99" -v c="$((c1 - c0))" 'BEGIN {
        printf "%s: %d clients, %d acknowledged, %d refused or failed in %.2f s: %d/s, " \
            "p50 %.2f ms, p99 %.2f ms, %d commits (%.1f writes each)",
            l, n, o, b, u / 1e6, t, p50 / 1e3, p99 / 1e3, c, (c > 0 ? o / c : 0) }')"
    grep -E '^case |Socket errors|Non-2xx' "$out" >&2 || true
}

bench_check_quiet
if ((WARMUP > 0)); then
    load warmup "$CLIENTS" "$CASES_0" "$WARMUP"
fi
load clients_1 1 "$CASES_1" "$DURATION"
TPS_1=$TPS
load clients_$CLIENTS "$CLIENTS" "$CASES_2" "$DURATION"
TPS_64=$TPS

# Stop it the way an operator does; every answer given must be on disk.
kill -TERM "$GG_PID"
rc=0
wait "$GG_PID" || rc=$?
((rc == 0)) || { tail -n 30 "$TMP/gridgov.err" >&2; bench_log "WARNING: gridgov exited with status $rc on SIGTERM"; }
PRESENT=$(sqlite3 "$TMP/b.db" "SELECT count(*) FROM case_log WHERE action IN ('start', 'report_back', 'rework')")
LOST=$((ACKED > PRESENT ? ACKED - PRESENT : 0))
bench_log "acknowledged $ACKED transitions, $PRESENT in case_log after the stop: lost $LOST"

# ---------------------------------------------------------------- raw

"$GRIDGOV" init --db "$TMP/raw.db" >/dev/null 2>&1 || bench_die "gridgov init (raw) failed"
sqlite3 "$TMP/raw.db" "$nodes"
out=$("$GRIDGOV" bench case-raw "$TMP/raw.db" 300) || bench_die "gridgov bench case-raw failed: $out"
est=$(sed -n 's/.*raw_tps=\([0-9]*\).*/\1/p' <<<"$out")
[[ $est =~ ^[0-9]+$ ]] || bench_die "cannot read: $out"
# About DURATION seconds' worth.
n=$(awk -v r="$est" -v d="$DURATION" 'BEGIN { n = r * d; if (n < 300) n = 300; if (n > 1000000) n = 1000000; printf "%d", n }')
out=$("$GRIDGOV" bench case-raw "$TMP/raw.db" "$n") || bench_die "gridgov bench case-raw failed: $out"
RAW=$(sed -n 's/.*raw_tps=\([0-9]*\).*/\1/p' <<<"$out")
[[ $RAW =~ ^[0-9]+$ && $RAW -gt 0 ]] || bench_die "cannot read: $out"
bench_log "raw: $out"

RATIO=$(awk -v a="$TPS_64" -v b="$RAW" 'BEGIN { printf "%.3f", a / b }')
OK=$(awk -v r="$RATIO" -v t="$TARGET_RATIO" -v l="$LOST" -v a="$TPS_64" \
    'BEGIN { print (r >= t && l == 0 && a > 0) ? 1 : 0 }')
bench_emit case_transitions "tps_1=$TPS_1" "tps_64=$TPS_64" "raw_tps=$RAW" \
    "ratio_64=$RATIO" "lost=$LOST" "target_ratio=$TARGET_RATIO" "ok=$OK"

# ---------------------------------------------------------------- sweep

"$GRIDGOV" init --db "$TMP/sweep.db" >/dev/null 2>&1 || bench_die "gridgov init (sweep) failed"
sqlite3 "$TMP/sweep.db" "$nodes"
rm -f "$TMP/b.db" "$TMP/b.db-wal" "$TMP/raw.db" "$TMP/raw.db-wal" # room
bench_log "filling $SWEEP_CASES cases, then one sweep"
out=$("$GRIDGOV" bench sweep "$TMP/sweep.db" --cases "$SWEEP_CASES" --node "$COMMUNITY") ||
    bench_die "gridgov bench sweep failed: $out"
bench_log "sweep: $out"
MS=$(sed -n 's/.*ms=\([0-9.]*\).*/\1/p' <<<"$out")
DUE=$(sed -n 's/.*due=\([0-9]*\).*/\1/p' <<<"$out")
MARKED=$(sed -n 's/.*marked=\([0-9]*\).*/\1/p' <<<"$out")
[[ -n $MS && -n $DUE && -n $MARKED ]] || bench_die "cannot read: $out"
NOTES=$(sqlite3 "$TMP/sweep.db" "SELECT count(*) FROM notifications")
bench_log "the sweep marked $MARKED of $DUE due cases and wrote $NOTES notifications"
OK=$(awk -v m="$MS" -v t="$TARGET_MS" -v a="$MARKED" -v d="$DUE" \
    'BEGIN { print (m <= t && a == d) ? 1 : 0 }')
bench_emit overdue_sweep "ms=$(bench_fmt 0 "$MS")" "cases=$SWEEP_CASES" "marked=$MARKED" \
    "target_ms=$TARGET_MS" "ok=$OK"
