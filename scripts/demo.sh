#!/usr/bin/env bash
# One command for a newcomer: installs what is missing, builds, and opens
# the console on the bundled sample conference (HallwayCon 2026) with every
# plugin loaded, and serves the lobby screen beside it. Type "help". Extra
# arguments go to hallway, e.g.
#   scripts/demo.sh --as organizer      (then `dashboard` signs you in to /organizer)
# HALLWAY_NOW defaults to the first morning of the sample conference;
# HALLWAY_DEMO_PORT (default 8080) is where the screen is served, on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
export HALLWAY_NOW="${HALLWAY_NOW:-2026-11-26T09:55:00+01:00}"
port="${HALLWAY_DEMO_PORT:-8080}"
# The example config plus the web server; its relative paths are made
# absolute, because the copy lives in build/.
/usr/bin/python3 - "$port" <<'PY'
import json, os, sys
root = os.getcwd()
with open("config.example.json") as f:
    cfg = json.load(f)
def fix(v):
    if isinstance(v, dict):
        return {k: fix(x) for k, x in v.items()}
    if isinstance(v, list):
        return [fix(x) for x in v]
    if isinstance(v, str) and not os.path.isabs(v) and "/" in v and os.path.exists(os.path.join(root, v)):
        return os.path.join(root, v)
    return v
cfg = fix(cfg)
cfg.setdefault("storage", {})["path"] = os.path.join(root, cfg.get("storage", {}).get("path", "hallway-demo.db"))
cfg["http"] = {"listen": "127.0.0.1:" + sys.argv[1]}
with open("build/demo-config.json", "w") as f:
    json.dump(cfg, f, indent=1)
PY
cat <<EOF2

  Lobby screen:   http://127.0.0.1:${port}/screen    (one room's door: /screen/Main%20Hall)
  Organizer page: http://127.0.0.1:${port}/organizer (run with --as organizer, then type: dashboard)
  Console:        type help

EOF2
exec build/hallway --console --config build/demo-config.json "$@"
