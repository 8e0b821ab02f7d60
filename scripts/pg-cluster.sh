#!/bin/sh
# A private PostgreSQL cluster for the storage tests (Debian's postgresql
# package: initdb and pg_ctl under a temporary folder).
#
#   scripts/pg-cluster.sh start DIR [PORT]   prints the URL on stdout
#   scripts/pg-cluster.sh stop DIR           stops it and removes DIR
#   scripts/pg-cluster.sh url DIR
#
# PostgreSQL refuses to run as root (CI runs as root): then the cluster is
# owned by, and runs as, the `postgres` user (or $HALLWAY_PG_USER). Trust
# authentication on 127.0.0.1 only; fsync off (test data).
set -eu

BIN=${HALLWAY_PG_BIN:-}
if [ -z "$BIN" ]; then
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && BIN=$d
	done
fi
[ -n "$BIN" ] && [ -x "$BIN/initdb" ] || { echo "pg-cluster: no initdb (install postgresql)" >&2; exit 2; }

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|url DIR [PORT]" >&2; exit 2; }

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "${HALLWAY_PG_USER:-postgres}" -- "$@"
	else
		"$@"
	fi
}

free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

case "$cmd" in
start)
	port=${3:-$(free_port)}
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown "${HALLWAY_PG_USER:-postgres}" "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_owner "$BIN/initdb" -D "$dir/data" -U hallway -A trust -E UTF8 --locale=C.UTF-8 \
			--no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	fi
	as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200" \
		start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
	echo "$port" >"$dir/port"
	url="postgresql://hallway@127.0.0.1:$port/postgres"
	echo "$url" >"$dir/url"
	echo "$url"
	;;
stop)
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
	fi
	case "$dir" in
	/tmp/*) rm -rf "$dir" ;;
	esac
	;;
url)
	cat "$dir/url"
	;;
*)
	echo "usage: $0 start|stop|url DIR [PORT]" >&2
	exit 2
	;;
esac
