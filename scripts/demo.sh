#!/usr/bin/env bash
# README command 1: installs what is needed, builds, and shows keeper on a local devnet with the
# real Aave V3 market: deploys it with borrowers, ranks every account by its exactly computed health
# factor, crashes the WETH price, and lets the keeper daemon liquidate the accounts that became
# liquidatable. Everything it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

KEEPER=./build/keeper/keeper
DIR=$(mktemp -d "${TMPDIR:-/tmp}/keeper-demo.XXXXXX")
PORT=${KEEPER_DEMO_PORT:-18545}
cleanup() { "$KEEPER" devnet down --dir "$DIR" >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT INT TERM

echo "== keeper devnet: anvil (1 s blocks) + the real Aave V3 contracts + 300 borrowers"
"$KEEPER" devnet up --borrowers 300 --seed 1 --port "$PORT" --block-time 1 --dir "$DIR"

echo; echo "== keeper scan: the 10 accounts closest to liquidation, health computed locally to the wei"
"$KEEPER" scan --config "$DIR/keeper.toml" --limit 10

echo; echo "== WETH falls 25% (a Chainlink-shaped feed emits AnswerUpdated)"
"$KEEPER" devnet price WETH -25% --dir "$DIR"

echo; echo "== keeper scan after the crash"
"$KEEPER" scan --config "$DIR/keeper.toml" --limit 10

echo; echo "== on-chain before keeper: Pool.getUserAccountData for every borrower"
"$KEEPER" devnet report --dir "$DIR" | tail -n 1

echo; echo "== keeper run: simulate, sign and send the liquidations, for 6 blocks"
# The devnet's liquidator is anvil's published development account 1 (never use it elsewhere).
KEEPER_PRIVATE_KEY=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d \
  "$KEEPER" run --config "$DIR/keeper.toml" --max-blocks 6

echo; echo "== on-chain after keeper"
"$KEEPER" devnet report --dir "$DIR" | tail -n 1
