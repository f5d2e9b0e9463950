# shellcheck shell=bash
# bench/lib.sh - helpers shared by the benchmarks (sourced, never run).
#
# A benchmark script bench/NAME.sh starts with
#     source "$(dirname "$0")/lib.sh"
# and then:
#   - everything it prints goes to stderr; only bench_emit writes to stdout,
#     so stdout carries nothing but "BENCH ..." lines;
#   - processes started with bench_spawn and directories made with
#     bench_tmpdir are stopped / removed when the script exits, however it
#     exits (normal end, error under set -e, Ctrl-C, SIGTERM).

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_ROOT=$(cd "$BENCH_DIR/.." && pwd)
BENCH_BUILD_DIR="$BENCH_ROOT/build-bench"
GRIDGOV="$BENCH_BUILD_DIR/gridgov"
cd "$BENCH_ROOT"

# Keep the real stdout on fd 3 for the BENCH lines; send the rest to stderr.
exec 3>&1 1>&2

bench_log() { printf '[bench] %s\n' "$*" >&2; }
bench_die() {
    printf '[bench] ERROR: %s\n' "$*" >&2
    exit 1
}

# bench_emit NAME key=value ... -> one "BENCH NAME key=value ..." line on stdout.
bench_emit() {
    local line="BENCH $*"
    printf '%s\n' "$line" >&3
    printf '[bench] %s\n' "$line" >&2
}

# ---------------------------------------------------------------- cleanup

BENCH_PIDS=()
BENCH_TMPDIRS=()

# Stop one process: SIGTERM, wait up to ~5 s, then SIGKILL.
bench_stop() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        bench_log "pid $pid ignored SIGTERM, killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

bench_cleanup() {
    local rc=$? pid d i
    trap - EXIT INT TERM
    for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do
        pid=${BENCH_PIDS[i]}
        [[ -n $pid ]] && bench_stop "$pid"
    done
    for d in "${BENCH_TMPDIRS[@]}"; do
        [[ -n $d && -d $d ]] && rm -rf -- "$d"
    done
    exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# bench_tmpdir VAR -> VAR=new temp dir, removed on exit (BENCH_KEEP_TMP=1 keeps it).
bench_tmpdir() {
    local d
    d=$(mktemp -d "${TMPDIR:-/tmp}/gridgov-bench.XXXXXX")
    if [[ ${BENCH_KEEP_TMP:-0} == 1 ]]; then
        bench_log "keeping $d"
    else
        BENCH_TMPDIRS+=("$d")
    fi
    printf -v "$1" '%s' "$d"
}

# bench_spawn VAR OUTFILE ERRFILE cmd args... -> starts cmd in the background,
# VAR=its pid; it is stopped on exit. Its stdin is /dev/null.
bench_spawn() {
    local var=$1 out=$2 err=$3
    shift 3
    "$@" </dev/null >"$out" 2>"$err" &
    BENCH_PIDS+=("$!")
    printf -v "$var" '%s' "$!"
}

# bench_gridgov_start DIR CONF PID_VAR BASE_VAR -> `gridgov serve` on a free
# loopback port with the database DIR/b.db and config CONF (made beforehand
# with `gridgov init` or `gridgov demo`); waits until /api/v1/health answers
# and sets PID_VAR and BASE_VAR (http://127.0.0.1:PORT). Dies on failure.
bench_gridgov_start() {
    local dir=$1 conf=$2 pid_var=$3 base_var=$4 i port="" pid
    bench_spawn pid "$dir/gridgov.out" "$dir/gridgov.err" \
        "$GRIDGOV" serve --db "$dir/b.db" --listen 127.0.0.1:0 --config "$conf"
    for ((i = 0; i < 100; i++)); do
        port=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$dir/gridgov.out" 2>/dev/null |
            head -n1 | sed 's/.*://') || true
        [[ -n $port ]] && break
        bench_alive "$pid" || break
        sleep 0.1
    done
    if [[ -z $port ]]; then
        cat "$dir/gridgov.out" "$dir/gridgov.err" >&2 || true
        bench_die "gridgov serve did not report its port"
    fi
    if ! bench_wait_http "http://127.0.0.1:$port/api/v1/health" 10 "$pid"; then
        cat "$dir/gridgov.err" >&2 || true
        bench_die "gridgov did not answer 200 on /api/v1/health within 10 s"
    fi
    printf -v "$pid_var" '%s' "$pid"
    printf -v "$base_var" '%s' "http://127.0.0.1:$port"
}

# bench_alive PID -> status 0 while the process runs (and is not a zombie).
bench_alive() {
    local st
    kill -0 "$1" 2>/dev/null || return 1
    st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
    [[ $st != Z ]]
}

# ---------------------------------------------------------------- tools

# bench_need COMMAND [DEBIAN_PACKAGE] -> installs the package with apt-get
# when running as root, else fails with a clear message.
bench_need() {
    local cmd=$1 pkg=${2:-$1}
    command -v "$cmd" >/dev/null 2>&1 && return 0
    [[ -x /usr/sbin/$cmd ]] && { PATH="$PATH:/usr/sbin"; return 0; }
    if [[ $(id -u) -ne 0 ]]; then
        bench_die "'$cmd' is missing; install the Debian package '$pkg' (apt-get install $pkg) and run again"
    fi
    command -v apt-get >/dev/null 2>&1 ||
        bench_die "'$cmd' is missing and apt-get is not available to install '$pkg'"
    bench_log "installing Debian package $pkg for '$cmd'"
    DEBIAN_FRONTEND=noninteractive apt-get install -y "$pkg" >&2 ||
        { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y "$pkg" >&2; } ||
        bench_die "apt-get install $pkg failed"
    [[ -x /usr/sbin/$cmd ]] && PATH="$PATH:/usr/sbin"
    command -v "$cmd" >/dev/null 2>&1 || bench_die "'$cmd' still missing after installing $pkg"
}

# ---------------------------------------------------------------- build

# bench_build -> build-bench/gridgov, a Release build without tests; rebuilt
# when missing or older than any file under src/, cmake/ or CMakeLists.txt.
bench_build() {
    if [[ -x $GRIDGOV ]] &&
        [[ -z $(find CMakeLists.txt cmake src -newer "$GRIDGOV" -print -quit 2>/dev/null) ]]; then
        return 0
    fi
    bench_need cmake cmake
    bench_log "building $GRIDGOV (Release)"
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DGG_TESTS=OFF >&2 ||
        bench_die "cmake configure failed"
    cmake --build build-bench -j2 >&2 || bench_die "build failed"
    [[ -x $GRIDGOV ]] || bench_die "build produced no $GRIDGOV"
    touch "$GRIDGOV" # a no-op relink must still count as fresh
}

# ---------------------------------------------------------------- ports

# Loopback ports already listening (TCP, IPv4 and IPv6), one per line.
bench_listening_ports() {
    local hex
    awk 'FNR > 1 && $4 == "0A" { n = split($2, a, ":"); print a[n] }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u |
        while read -r hex; do echo $((16#$hex)); done
}

# bench_free_port -> prints a TCP port that nothing listens on, below the
# kernel's ephemeral range so wrk's client sockets cannot take it.
bench_free_port() {
    local lo port used i
    read -r lo _ </proc/sys/net/ipv4/ip_local_port_range || lo=32768
    ((lo > 20000)) || lo=32768
    used=" $(bench_listening_ports | tr '\n' ' ') "
    for ((i = 0; i < 200; i++)); do
        port=$((20000 + RANDOM % (lo - 20000)))
        [[ $used == *" $port "* ]] && continue
        # nothing must answer on it either
        if ! (exec 9<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    bench_die "no free loopback port found"
}

# bench_wait_http URL SECONDS [PID] -> waits until URL answers 200; fails
# early when PID (the server) has died.
bench_wait_http() {
    local url=$1 secs=$2 pid=${3:-} i code
    for ((i = 0; i < secs * 10; i++)); do
        if [[ -n $pid ]] && ! bench_alive "$pid"; then
            return 1
        fi
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" 2>/dev/null) || true
        [[ $code == 200 ]] && return 0
        sleep 0.1
    done
    return 1
}

# ---------------------------------------------------------------- memory

# bench_rss_kb PID / bench_hwm_kb PID -> VmRSS / VmHWM (peak RSS) in kB.
bench_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
bench_hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# bench_kb_to_mb KB -> MiB with one decimal.
bench_kb_to_mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# bench_tcp_accepts -> the machine's TCP PassiveOpens counter (connections
# accepted so far, all processes). The difference over a wrk run close to
# -c shows keep-alive held; far above it, the server closed connections.
bench_tcp_accepts() {
    awk '$1 == "Tcp:" { if (!n) { for (i = 2; i <= NF; i++) if ($i == "PassiveOpens") c = i; n = 1 }
                        else { print $c; exit } }' /proc/net/snmp
}

# bench_check_quiet -> samples the CPUs for a second and warns on stderr
# when other work keeps them more than 25% busy; the figures will be noisy.
bench_check_quiet() {
    local a b busy
    a=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
    sleep 1
    b=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
    busy=$(awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ")
        u = y[1] - x[1]; i = y[2] - x[2]; printf "%.0f", (u + i > 0 ? 100 * u / (u + i) : 0) }')
    if ((busy > 25)); then
        bench_log "WARNING: the CPUs are ${busy}% busy with other work before the run; the figures will be noisy"
    else
        bench_log "CPUs ${busy}% busy before the run"
    fi
}

# ---------------------------------------------------------------- numbers

# bench_median N... -> the median (mean of the two middle values if even).
bench_median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR == 0) exit 1
              if (NR % 2) printf "%s", v[(NR + 1) / 2]
              else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_fmt DECIMALS VALUE -> VALUE rounded.
bench_fmt() { awk -v d="$1" -v v="$2" 'BEGIN { printf "%." d "f", v }'; }

# ---------------------------------------------------------------- wrk

# bench_wrk_parse FILE -> "rps p99_ms p50_ms requests errors" from wrk
# --latency output. errors = socket errors (connect+read+write+timeout)
# plus non-2xx/3xx responses. Fails if the output has no Requests/sec.
bench_wrk_parse() {
    awk '
    function ms(s,   n, u) {
        n = s + 0; u = s; sub(/^[0-9.]+/, "", u)
        if (u == "us") return n / 1000
        if (u == "ms") return n
        if (u == "s")  return n * 1000
        if (u == "m")  return n * 60000
        if (u == "h")  return n * 3600000
        return -1
    }
    /^[ \t]*Requests\/sec:/ { rps = $2; seen = 1 }
    /^[ \t]*50%/ && p50 == "" { p50 = ms($2) }
    /^[ \t]*99%/ && p99 == "" { p99 = ms($2) }
    /requests in/ { req = $1 }
    /Socket errors:/ {
        for (i = 1; i <= NF; i++) { gsub(/,/, "", $i); if ($i ~ /^[0-9]+$/) err += $i }
    }
    /Non-2xx or 3xx responses:/ { err += $NF }
    END {
        if (!seen || p99 == "") exit 1
        printf "%.2f %.3f %.3f %d %d\n", rps, p99, p50, req, err
    }' "$1"
}

# bench_wrk OUTFILE wrk-args... -> runs wrk with a hard time limit.
bench_wrk() {
    local out=$1
    shift
    timeout --foreground --kill-after=5 120 wrk "$@" >"$out" 2>&1 || {
        cat "$out" >&2
        bench_die "wrk $* failed"
    }
}

# ---------------------------------------------------------------- nginx

# bench_nginx_start DIR PORT SERVER_BLOCK_BODY VAR -> a private nginx on
# 127.0.0.1:PORT with everything (config, pid, logs, temp files) inside DIR,
# VAR=pid of its master. SERVER_BLOCK_BODY is pasted into the server {} block.
bench_nginx_start() {
    local dir=$1 port=$2 body=$3 var=$4 conf mod temps="" v ng_pid
    bench_need nginx nginx-light
    mkdir -p "$dir"
    conf="$dir/nginx.conf"
    v=$(nginx -V 2>&1)
    for mod in client_body proxy fastcgi uwsgi scgi; do
        if [[ $mod == client_body ]]; then
            temps+="    client_body_temp_path $dir/client_body;"$'\n'
        elif [[ $v != *"--without-http_${mod}_module"* ]]; then
            temps+="    ${mod}_temp_path $dir/$mod;"$'\n'
        fi
    done
    cat >"$conf" <<EOF
daemon off;
master_process on;
worker_processes ${BENCH_NGINX_WORKERS:-2};
pid $dir/nginx.pid;
lock_file $dir/nginx.lock;
error_log $dir/error.log warn;
events {
    worker_connections 4096;
}
http {
    access_log off;
    server_tokens off;
$temps    keepalive_requests 1000000;
    keepalive_timeout 65s;
    server {
        listen 127.0.0.1:$port;
$body
    }
}
EOF
    # shellcheck disable=SC2016 # literal nginx variables
    if [[ $body == *'${bench_dollar}'* ]]; then
        sed -i 's|^    server {$|    geo $bench_dollar { default "$"; }\n&|' "$conf"
    fi
    nginx -t -q -e "$dir/error.log" -c "$conf" -p "$dir/" >&2 ||
        { cat "$dir/error.log" >&2 || true; bench_die "nginx rejected $conf"; }
    bench_spawn ng_pid "$dir/stdout.log" "$dir/stderr.log" \
        nginx -e "$dir/error.log" -c "$conf" -p "$dir/"
    printf -v "$var" '%s' "$ng_pid"
}

# bench_nginx_string TEXT -> TEXT as an nginx single-quoted string. '$'
# becomes ${bench_dollar}, a variable holding "$" that bench_nginx_start
# defines (with the geo module) when the server block uses it.
bench_nginx_string() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\'/\\\'}
    s=${s//\$/\$\{bench_dollar\}}
    printf "'%s'" "$s"
}
