#!/usr/bin/env bash
# Sets up (idempotently), builds, and runs every test: unit, fuzz-corpus replay, and anvil-backed
# integration tests. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 600 -j "$(nproc)"
