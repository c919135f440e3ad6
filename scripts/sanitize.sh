#!/usr/bin/env bash
# Sanitizer runs (README, Failure model): ASan+UBSan over the fast tests (every test folder that
# needs no devnet, and the fuzz corpora replayed), TSan over the code that runs on threads of its
# own (the metrics server with concurrent clients, the money gauges' reader thread, the shared
# view-function cache). Each is a build of its own (-O1, line tables only), so only the targets
# run here are built.
#   scripts/sanitize.sh [asan|tsan|all]     (default all; CI runs all from .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-all}
JOBS=${JOBS:-$(nproc)}
LAUNCHER=()
command -v ccache >/dev/null 2>&1 && LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# Test folders (tests/<folder>) run under ASan+UBSan: none starts a devnet.
ASAN_FOLDERS=(chain/abi chain/codec chain/rpc chain/ws config dex dex/uniswap_v3 keeper/doctor
  keeper/engine keeper/executors keeper/market keeper/ops keeper/standby keeper/tx keeper/wallet
  oracles/chainlink protocols/aave_v3 strategy/evaluator strategy/liquidation)
FUZZ_TARGETS=(hex_fuzz rlp_fuzz abi_fuzz rpc_response_fuzz ws_frame_fuzz config_fuzz
  oracle_update_fuzz keystore_fuzz snapshot_fuzz mev_share_hint_fuzz uniswap_pool_events_fuzz)
# The threaded parts: keeper/ops (status server, money gauges), chain/rpc (view-function cache).
TSAN_FOLDERS=(keeper/ops chain/rpc)

configure() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
    -DKEEPER_BENCH=OFF "${LAUNCHER[@]}" "$@" >/dev/null
}

# ctest regex of the folders' tests ("chain/abi:<test case>"; a folder, not its subfolders).
regex_of() {
  local r="" f
  for f in "$@"; do r+="${r:+|}^$f:"; done
  echo "$r"
}

run_asan() {
  local dir=${ASAN_BUILD_DIR:-build-asan}
  configure "$dir" -DKEEPER_SANITIZE=ON
  local targets=() f
  for f in "${ASAN_FOLDERS[@]}"; do targets+=("test_${f//\//_}"); done
  targets+=("${FUZZ_TARGETS[@]}")
  local t0=$SECONDS
  cmake --build "$dir" --parallel "$JOBS" --target "${targets[@]}"
  echo "sanitize: asan build $((SECONDS - t0)) s"
  t0=$SECONDS
  # Leaks are reported too; the first error stops the test (compiled -fno-sanitize-recover).
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure --timeout 600 -j "$JOBS" \
      -R "$(regex_of "${ASAN_FOLDERS[@]}")|^fuzz: .* corpus replay"
  echo "sanitize: asan tests $((SECONDS - t0)) s"
}

run_tsan() {
  local dir=${TSAN_BUILD_DIR:-build-tsan}
  configure "$dir" -DKEEPER_TSAN=ON
  local targets=() f
  for f in "${TSAN_FOLDERS[@]}"; do targets+=("test_${f//\//_}"); done
  local t0=$SECONDS
  cmake --build "$dir" --parallel "$JOBS" --target "${targets[@]}"
  echo "sanitize: tsan build $((SECONDS - t0)) s"
  t0=$SECONDS
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --test-dir "$dir" --output-on-failure --timeout 600 -j "$JOBS" \
      -R "$(regex_of "${TSAN_FOLDERS[@]}")"
  echo "sanitize: tsan tests $((SECONDS - t0)) s"
}

case "$MODE" in
  asan) run_asan ;;
  tsan) run_tsan ;;
  all) run_asan; run_tsan ;;
  *) echo "usage: scripts/sanitize.sh [asan|tsan|all]" >&2; exit 2 ;;
esac
