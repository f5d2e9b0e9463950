#!/usr/bin/env bash
# Runs every test: installs what is missing, builds once normally and once
# with AddressSanitizer + UndefinedBehaviorSanitizer, and runs the whole
# CTest suite (unit, end-to-end over HTTP, browser) on both builds.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/deps.sh test

echo "== build (RelWithDebInfo)" >&2
scripts/build.sh build
ctest --test-dir build -j"$jobs" --output-on-failure

echo "== build (ASan + UBSan)" >&2
scripts/build.sh build-asan -DGG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan -j"$jobs" --output-on-failure
