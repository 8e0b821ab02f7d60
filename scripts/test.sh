#!/usr/bin/env bash
# The whole test suite: builds hallway with AddressSanitizer and
# UndefinedBehaviorSanitizer into build-asan/ and runs every CTest test
# (unit tests, plugin tests, the Discord stand-in's own tests and the
# integration tests that run the real daemon against it).
# Usage: scripts/test.sh [extra ctest args, e.g. -R gateway]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHALLWAY_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --test-dir build-asan --output-on-failure -j"$jobs" "$@"
