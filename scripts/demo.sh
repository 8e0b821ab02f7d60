#!/usr/bin/env bash
# One command for a newcomer: installs what is missing, builds, and opens
# the console on the bundled sample conference (HallwayCon 2026) with every
# plugin loaded. Type "help". Extra arguments go to hallway, e.g.
#   scripts/demo.sh --as organizer
# HALLWAY_NOW defaults to the first morning of the sample conference.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
export HALLWAY_NOW="${HALLWAY_NOW:-2026-11-26T09:55:00+01:00}"
exec build/hallway --console --config config.example.json "$@"
