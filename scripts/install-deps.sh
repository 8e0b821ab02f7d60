#!/usr/bin/env bash
# Installs every Debian package hallway needs to build, test and benchmark.
# Idempotent; run as root (or with sudo available).
set -euo pipefail
pkgs=(
  build-essential cmake pkg-config
  libwebsockets-dev libcurl4-openssl-dev libjansson-dev libsqlite3-dev zlib1g-dev
  libxml2-dev libsystemd-dev libutf8proc-dev
  python3-aiohttp python3-websockets python3-discord
  clang-14 libclang-rt-14-dev libfuzzer-14-dev
  valgrind sqlite3 curl
  libpq-dev postgresql chromium fonts-dejavu-core
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
