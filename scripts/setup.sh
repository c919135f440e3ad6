#!/usr/bin/env bash
# Installs everything keeper needs on a fresh Debian 12 machine and builds it (curl: the demo asks
# the daemon's /healthz and /metrics with it; prometheus: promtool tests the alert rules, and a
# test scrapes keeper with a real Prometheus; redis-server: the standby tests start their own).
# Idempotent: packages already present are not reinstalled, an existing build is reused.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config clang clang-format clang-tidy libclang-rt-dev
  libcurl4-openssl-dev libboost-dev libboost-system-dev nlohmann-json3-dev libsecp256k1-dev
  catch2 libcrypto++-dev libexpected-dev libssl-dev libtoml11-dev libbenchmark-dev
  libcli11-dev
  libhiredis-dev redis-server
  prometheus
  ca-certificates curl
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node.js may come from another packaging (its own npm inside); Debian's npm only when absent.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # prometheus is here for its promtool and for the scrape test, which starts its own on a free
  # port: the service the package enables (on :9090) is not wanted when setup installed it.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
  # Likewise redis-server: the standby tests start their own on a free port.
  if [[ " ${missing[*]} " == *" redis-server "* ]] && command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true
  fi
fi

# Pinned local-chain tooling (anvil, cast, Aave V3 artifacts, solc); lockfile-exact and offline-safe.
if [ ! -x node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# keeper's own devnet contracts, compiled offline by the pinned solc.
node scripts/compile-contracts.mjs
# Morpho Blue 1.0.0 (source only on npm) with the solc it pins; cached by a hash of its inputs.
node scripts/compile-morpho.mjs >/dev/null

BUILD_DIR=${BUILD_DIR:-build}
BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" ${CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD_DIR" --parallel "$(nproc)"
