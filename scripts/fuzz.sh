#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang-14, ASan+UBSan) into build-fuzz/,
# seeds their corpora and runs each for a bounded time. Fails if any target
# crashes, leaks or trips a sanitizer; the input that did it is kept as
# build-fuzz/artifacts/<target>-crash-* (reproduce: build-fuzz/<target> FILE).
#
# Usage: scripts/fuzz.sh [--ci | --long | --seconds N] [target...]
#   (default)    60 s per target
#   --ci         40 s per target (what .ci/run uses: 10 targets, about 7 min)
#   --long       4 hours per target, by hand; corpora grow in build-fuzz/corpus
#   --seconds N  N seconds per target
# Env: FUZZ_JOBS=N runs N fuzzing processes per target (default 1).
#
# Real schedules are read from ../shared/data (HALLWAY_SHARED_DATA) and
# copied into build-fuzz/corpus/, never into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --ci) seconds=40 ;;
    --long) seconds=14400 ;;
    --seconds) seconds="$2"; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) targets+=("$1") ;;
  esac
  shift
done
all=(fuzz_gateway fuzz_commands fuzz_plugin_commands fuzz_config fuzz_sched_json fuzz_sched_xml
     fuzz_sched_ics fuzz_sprints_feed fuzz_words fuzz_pretix fuzz_web fuzz_reply_model)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

out=build-fuzz
cmake -S fuzz -B "$out" -DCMAKE_C_COMPILER=clang-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$out" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null

# Seeds: regenerated every run (cheap); what the fuzzer found stays in corpus/.
rm -rf "$out/seeds"
/usr/bin/python3 fuzz/gen_seeds.py "$out/seeds"
mkdir -p "$out/artifacts"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
jobs="${FUZZ_JOBS:-1}"
failed=()
summary=()
for t in "${targets[@]}"; do
  corpus="$out/corpus/$t"
  mkdir -p "$corpus"
  # Schedules are large: mutate at most 64 KiB (the shrunken seeds fit).
  case "$t" in
    fuzz_sched_*|fuzz_sprints_feed) maxlen=65536 ;;
    fuzz_plugin_commands) maxlen=4096 ;; # a session of commands
    *) maxlen=16384 ;;
  esac
  log="$out/$t.log"
  echo "fuzz: $t for ${seconds}s" >&2
  rc=0
  extra=()
  [ "$jobs" -gt 1 ] && extra=(-jobs="$jobs" -workers="$jobs")
  # A target's dictionary, when it has one (fuzz/<target>.dict).
  [ -f "fuzz/$t.dict" ] && extra+=(-dict="fuzz/$t.dict")
  "$out/$t" -max_total_time="$seconds" -max_len="$maxlen" -timeout=25 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" "${extra[@]}" \
    "$corpus" "$out/seeds/$t" >"$log" 2>&1 || rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  if [ "$rc" -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
    failed+=("$t")
    summary+=("$(printf '%-18s FAILED (see %s)' "$t" "$log")")
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -5 >&2 || true
  else
    summary+=("$(printf '%-18s ok  %10s runs  %6s exec/s  cov %s' "$t" "$runs" "$speed" "${cov:-?}")")
  fi
done
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
