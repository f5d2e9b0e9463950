#!/usr/bin/env bash
# Builds the front end (web/dist) and the gridgov binary.
#
#   scripts/build.sh [BUILD_DIR [cmake options...]]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true

# The front end is rebuilt only when its sources changed.
stamp=web/dist/.built
if [ ! -f "$stamp" ] ||
   [ -n "$(find web/src web/index.html web/vite.config.js web/package-lock.json \
            web/public -newer "$stamp" -print -quit 2>/dev/null)" ]; then
    echo "build: web/ (vite)" >&2
    (cd web && npm run build --silent)
    touch "$stamp"
fi

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
