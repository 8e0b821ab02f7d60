#!/usr/bin/env bash
# hallway side by side with discord.py and discord.js: one command, writes bench/RESULTS.md.
#
#   bench/run.sh                      build hallway (Release), install discord.js, run everything
#   bench/run.sh --smoke [--hallway BIN --plugin-dir DIR]
#                                     check that everything runs (< 10 s; CTest's bench_smoke)
#   BENCH_BUILD_DIR=/tmp/x bench/run.sh   where the Release build goes (default /tmp/hallway-bench-build)
#   Extra arguments go to bench/run.py (--events, --rate, --step, --no-sweep, --no-callgrind, --out).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$(dirname "$here")"
smoke=0
hallway=""
plugin_dir=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --hallway) hallway="$2"; shift ;;
    --plugin-dir) plugin_dir="$2"; shift ;;
    *) args+=("$1") ;;
  esac
  shift
done

if [ -z "$hallway" ]; then
  build="${BENCH_BUILD_DIR:-/tmp/hallway-bench-build}"
  echo "bench: building hallway (Release, no sanitizers) in $build"
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHALLWAY_SANITIZE=OFF -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$build" -j"$(nproc)" >/dev/null
  hallway="$build/hallway"
  plugin_dir="$build/plugins"
fi
[ -n "$plugin_dir" ] || plugin_dir="$(dirname "$hallway")/plugins"

# discord.js: installed here by this script (never in CI's smoke: no registry needed there).
if [ "$smoke" = 0 ]; then
  if command -v npm >/dev/null && command -v node >/dev/null; then
    if [ ! -f "$here/peers/js/node_modules/discord.js/package.json" ]; then
      echo "bench: npm install discord.js@14 into bench/peers/js"
      (cd "$here/peers/js" && npm install --no-audit --no-fund --loglevel=error discord.js@14 >/dev/null)
    fi
  else
    echo "bench: node/npm not found: the discord.js peer will be skipped"
  fi
fi

if [ "$smoke" = 1 ]; then
  exec /usr/bin/python3 "$here/run.py" --hallway "$hallway" --plugin-dir "$plugin_dir" --smoke "${args[@]+"${args[@]}"}"
fi
exec /usr/bin/python3 "$here/run.py" --hallway "$hallway" --plugin-dir "$plugin_dir" "${args[@]+"${args[@]}"}"
