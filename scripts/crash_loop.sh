#!/usr/bin/env bash
# The crash test for longer than CI runs it: keeper run killed with SIGKILL at the points of a send
# (and at random moments) ITERATIONS times within SECONDS, on a fresh devnet, then every check of
# tests/e2e_faults/crash_loop_test.cpp. Usage: scripts/crash_loop.sh [ITERATIONS] [SECONDS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
export KEEPER_CRASH_ITERATIONS=${1:-500}
export KEEPER_CRASH_SECONDS=${2:-1800}
export KEEPER_CRASH_SEED=${3:-$RANDOM}
echo "crash loop: ${KEEPER_CRASH_ITERATIONS} iterations, ${KEEPER_CRASH_SECONDS} s, seed ${KEEPER_CRASH_SEED}"
exec "$BUILD_DIR/tests/test_e2e_faults" "keeper run killed at random points of its sends*" \
  --reporter compact
