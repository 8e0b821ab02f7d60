#!/usr/bin/env bash
# gcc's static analyzer (-fanalyzer) over hallway's own code (bot/, lib/,
# plugins/), a CI step (issue 13). Every finding is either fixed or listed,
# with the reason it is not a bug, in scripts/analyzer-reviewed.txt; a
# finding not in that list fails the step. A reviewed entry is keyed by file,
# function and message (not line: lines move), with gcc's ‘’ quotes written
# as plain '', e.g.
#   plugins/announce/announce_store.c|views_of|leak of 'col_dup(st, 7)'|stored in r->text, freed by announce_store_views_free
# Usage: scripts/analyze.sh [build-dir]   (default build-analyze/)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build-analyze}"
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DHALLWAY_ANALYZER=ON -DHALLWAY_WERROR=OFF \
	-DBUILD_TESTING=OFF >/dev/null
# --clean-first: an up-to-date object is not compiled again, and its findings
# would silently be missing. -k: report every file, not only up to the first
# that fails. -Otarget: one compiler's diagnostics are not interleaved with
# another's.
log="$dir/analyzer.log"
cmake --build "$dir" --clean-first -j"$(nproc)" -- -k -Otarget >"$log" 2>&1 ||
	{ tail -40 "$log"; echo "analyze: the build failed"; exit 1; }
root="$(pwd)/"
# gcc names the function before its first finding there ("f.c: In function
# ‘g’:"); a finding in a macro from a header keeps the function it is in.
found=$(sed -e "s|$root||g" -e "s/‘/'/g; s/’/'/g" "$log" |
	awk '/: In function '\''/ { fn = $0; sub(/^.*: In function '\''/, "", fn); sub(/'\'':$/, "", fn) }
	     /: At top level:$/ { fn = "" }
	     /warning: .*\[-Wanalyzer-[a-z-]+\]$/ {
		line = $0
		sub(/ \[CWE-[0-9]+\]/, "", line); sub(/ \[-Wanalyzer-[a-z-]+\]$/, "", line)
		file = line; sub(/:[0-9]+:[0-9]+: warning: .*$/, "", file)
		msg = line; sub(/^[^:]+:[0-9]+:[0-9]+: warning: /, "", msg)
		print file "|" fn "|" msg
	     }' | sort -u)
reviewed=$(grep -v -e '^#' -e '^$' scripts/analyzer-reviewed.txt 2>/dev/null | cut -d'|' -f1-3 | sort -u || true)
new=$(comm -23 <(printf '%s\n' "$found" | sed '/^$/d') <(printf '%s\n' "$reviewed" | sed '/^$/d'))
stale=$(comm -13 <(printf '%s\n' "$found" | sed '/^$/d') <(printf '%s\n' "$reviewed" | sed '/^$/d'))
total=$(printf '%s\n' "$found" | sed '/^$/d' | wc -l)
if [ -n "$stale" ]; then
	echo "analyze: reviewed entries gcc does not report this run (drop one once its code is gone):"
	printf '%s\n' "$stale"
fi
if [ -n "$new" ]; then
	echo "analyze: $total finding(s), these not reviewed:"
	printf '%s\n' "$new"
	echo "Fix them, or add each to scripts/analyzer-reviewed.txt with the reason it is not a bug."
	exit 1
fi
echo "analyze: $total finding(s), every one reviewed in scripts/analyzer-reviewed.txt"
