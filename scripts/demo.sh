#!/usr/bin/env bash
# README command 1: set up, build, and run keeper's main job on a local devnet.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec ./build/keeper/keeper demo "$@"
