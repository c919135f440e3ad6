#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, in their own build dir) and runs each
# for a given time on its kept corpus, fuzz/corpus/<target>/: the committed seeds (named for what
# they are) plus what runs add (named by their SHA-1, ignored by git), minimised with libFuzzer's
# -merge at the end of each run.
#
#   scripts/fuzz.sh TARGET SECONDS [RUNS]   one target, e.g. scripts/fuzz.sh config_fuzz 600
#   scripts/fuzz.sh all SECONDS [RUNS]      every fuzz/*_fuzz.cpp in turn, one at a time
#
# With RUNS a target stops after that many executions or SECONDS, whichever comes first (the
# campaign in the README: scripts/fuzz.sh TARGET 5400 10000000). Targets run under nice -n 19:
# a campaign shares the machine with builds and tests.
#
# Prints one line per target: executions, seconds, executions per second, corpus size and
# findings. A finding (crash, leak, timeout, out-of-memory) is kept under
# $FUZZ_BUILD_DIR/artifacts/<target>/ and makes the script exit 1. FUZZ_BUILD_DIR (default
# build-fuzz) and FUZZ_JOBS (ninja -j, default 2) can be set, and FUZZ_FLAGS adds libFuzzer
# flags to each run, e.g. FUZZ_FLAGS=-entropic=0 where the entropic schedule's bookkeeping costs
# more than the target (config_fuzz's corpus: 86% of its time, about 100 executions/s).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 2 || $# -gt 3 || ! $2 =~ ^[0-9]+$ || $2 -eq 0 || ! ${3:-1} =~ ^[0-9]+$ ||
      ${3:-1} -eq 0 ]]; then
  echo "usage: scripts/fuzz.sh TARGET|all SECONDS [RUNS]" >&2
  exit 2
fi
want=$1
seconds=$2
runs_limit=()
[[ $# -eq 3 ]] && runs_limit=(-runs="$3")
build=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=${FUZZ_JOBS:-2}
read -r -a extra_flags <<<"${FUZZ_FLAGS:-}"
for f in "${extra_flags[@]}"; do
  if [[ ! $f =~ ^-[a-z_]+=[^[:space:]]*$ ]]; then
    echo "fuzz.sh: FUZZ_FLAGS takes libFuzzer flags of the form -name=value, not '$f'" >&2
    exit 2
  fi
done

mapfile -t all < <(find fuzz -maxdepth 1 -name '*_fuzz.cpp' -printf '%f\n' | sed 's/\.cpp$//' | sort)
if [[ $want == all ]]; then
  targets=("${all[@]}")
elif [[ " ${all[*]} " == *" $want "* ]]; then
  targets=("$want")
else
  echo "fuzz.sh: no target $want (have: ${all[*]})" >&2
  exit 2
fi

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DKEEPER_FUZZ=ON -DKEEPER_TESTS=OFF -DKEEPER_BENCH=OFF \
    "${launcher[@]}" >/dev/null
fi
nice ninja -C "$build" -j "$jobs" "${targets[@]}"

# Inputs longer than this are cut to it; the deep-nesting seeds still nest thousands deep.
max_len=8192

status=0
for t in "${targets[@]}"; do
  corpus=fuzz/corpus/$t
  artifacts=$build/artifacts/$t
  log=$build/logs/$t.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  started=$(mktemp)  # findings of this run are the artifacts newer than it
  began=$SECONDS
  set +e
  nice -n 19 "$build/fuzz/$t" -max_total_time="$seconds" "${runs_limit[@]}" -timeout=60 \
    -rss_limit_mb=2048 "${extra_flags[@]}" \
    -max_len=$max_len -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" >"$log" 2>&1
  rc=$?
  took=$((SECONDS - began))  # shorter than asked when a finding stops the run
  set -e
  # Keep the added inputs to those that add coverage; the named seeds are never touched.
  merged=$(mktemp -d)
  if nice -n 19 "$build/fuzz/$t" -merge=1 -max_len=$max_len "$merged" "$corpus" >/dev/null 2>&1; then
    find "$corpus" -type f -regextype posix-extended -regex '.*/[0-9a-f]{40}' -delete
    find "$merged" -type f -exec cp {} "$corpus"/ \;
  fi
  rm -rf "$merged"
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  findings=$(find "$artifacts" -type f -newer "$started" | wc -l)
  rm -f "$started"
  printf '%-26s %10s executions in %ss (%s/s), corpus %4s files, findings %s (exit %s, log %s)\n' \
    "$t" "${runs:-?}" "$took" "${rate:-?}" "$(find "$corpus" -type f | wc -l)" "$findings" "$rc" \
    "$log"
  if [[ $rc -ne 0 || $findings -ne 0 ]]; then status=1; fi
done
exit $status
