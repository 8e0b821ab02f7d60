#!/bin/sh
# Many lobby screens (issue 19): 200 pages on /events, announcements posted in
# chat, push latency and gateway heartbeats; writes bench/screens/RESULTS.md.
#   bench/screens/run.sh [--clients N] [--rounds N]      build (Release) and run
#   bench/screens/run.sh --smoke --hallway BIN --plugin-dir DIR   20 pages, 2 rounds
#   BENCH_BUILD_DIR=/tmp/x bench/screens/run.sh          where the Release build goes
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
case " $* " in
*" --hallway "*) exec /usr/bin/python3 "$here/run.py" "$@" ;;
esac
build=${BENCH_BUILD_DIR:-/tmp/hallway-bench-screens}
echo "bench/screens: building hallway (Release, no sanitizers) in $build"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHALLWAY_SANITIZE=OFF -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" --target hallway schedule announce -j"$(nproc)" >/dev/null
exec /usr/bin/python3 "$here/run.py" --hallway "$build/hallway" --plugin-dir "$build/plugins" "$@"
