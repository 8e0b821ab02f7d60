#!/bin/sh
# The storage bench (not a test): units of work per second and one unit's
# latency on SQLite, on PostgreSQL over loopback, and on PostgreSQL behind
# a 2 ms delay each way. Usage: bench/store/run.sh BUILD_DIR [N]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?build dir}
n=${2:-2000}
bin="$build/bench/bench_store"
tmp=$(mktemp -d /tmp/hw-bench-pg-XXXXXX)
chmod 755 "$tmp"
cleanup() {
	[ -n "${proxy:-}" ] && kill "$proxy" 2>/dev/null || true
	"$here/../../scripts/pg-cluster.sh" stop "$tmp/pg" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
url=$("$here/../../scripts/pg-cluster.sh" start "$tmp/pg")
port=$(cat "$tmp/pg/port")
"$bin" "sqlite:$tmp/bench.db" "$n"
psql -X -q -c "CREATE DATABASE bench_lo" "$url"
"$bin" "${url%/*}/bench_lo" "$n"
pport=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/python3 "$here/delay_proxy.py" "$pport" "$port" 2 >"$tmp/proxy.out" &
proxy=$!
while ! grep -q READY "$tmp/proxy.out" 2>/dev/null; do sleep 0.1; done
psql -X -q -c "CREATE DATABASE bench_far" "$url"
echo "(behind a 2 ms delay each way:)"
"$bin" "postgresql://hallway@127.0.0.1:$pport/bench_far" "$((n / 10))"
