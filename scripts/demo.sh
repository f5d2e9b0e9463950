#!/usr/bin/env bash
# Installs what is missing, builds everything and serves the demo data on
# SQLite at http://127.0.0.1:8080 (Ctrl-C stops it). The database lives in
# demo-data/ and survives restarts; delete that folder to start afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh build
mkdir -p demo-data
db=demo-data/gridgov.db
if [ ! -f "$db" ]; then
    build/gridgov demo --db "$db"
else
    build/gridgov init --db "$db" >/dev/null   # migrates an older demo
fi
exec build/gridgov serve --db "$db" --web web/dist --listen "${GRIDGOV_LISTEN:-127.0.0.1:8080}"
