#!/usr/bin/env bash
# Installs what gridgov needs that this machine lacks: Debian packages with
# apt-get (as root, or through sudo) and the front end's npm packages from
# the committed lockfile. Quiet and quick when everything is there.
#
#   scripts/deps.sh          build and run (the demo)
#   scripts/deps.sh test     also what the tests need
set -euo pipefail
cd "$(dirname "$0")/.."

want=(build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev
      libsodium-dev libsqlite3-dev libgeos-dev libexpat1-dev libxlsxwriter-dev
      zlib1g-dev sqlite3 curl ca-certificates)
if [ "${1:-}" = test ]; then
    want+=(libcmocka-dev python3 chromium fonts-noto-cjk)
fi
command -v node >/dev/null 2>&1 || want+=(nodejs)
command -v npm >/dev/null 2>&1 || want+=(npm)

missing=()
for p in "${want[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}" >&2
    if [ "$(id -u)" = 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "deps: these Debian packages are missing and I am not root:" \
             "${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        >/dev/null
fi

# Front-end packages, exactly as the lockfile pins them.
if [ ! -f web/node_modules/.package-lock.json ] ||
   [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    echo "deps: npm ci (web/)" >&2
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
