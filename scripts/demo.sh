#!/usr/bin/env bash
# README command 1: installs what is needed, builds, and shows keeper at work on a local devnet with
# the real Aave V3 market: deploys it with borrowers, ranks every account by its exactly computed
# health factor, starts the keeper daemon, crashes the WETH price under it, and shows each
# liquidation as it lands (account, health factor before and after, profit). Everything it starts
# is stopped on exit, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

KEEPER=./build/keeper/keeper
DIR=$(mktemp -d "${TMPDIR:-/tmp}/keeper-demo.XXXXXX")
PORT=${KEEPER_DEMO_PORT:-18545}
METRICS_PORT=${KEEPER_DEMO_METRICS_PORT:-19464}
KEEPER_PID=""
cleanup() {
  if [[ -n "$KEEPER_PID" ]] && kill -0 "$KEEPER_PID" 2>/dev/null; then
    kill -TERM "$KEEPER_PID" 2>/dev/null || true
    wait "$KEEPER_PID" 2>/dev/null || true
  fi
  "$KEEPER" devnet down --dir "$DIR" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

echo "== keeper devnet: anvil (1 s blocks) + the real Aave V3 contracts + 300 borrowers"
"$KEEPER" devnet up --borrowers 300 --seed 1 --port "$PORT" --block-time 1 --dir "$DIR"

echo; echo "== keeper scan: the 10 accounts closest to liquidation, health computed locally to the wei"
"$KEEPER" scan --config "$DIR/keeper.toml" --limit 10

echo; echo "== keeper run: the daemon follows every head (metrics at http://127.0.0.1:$METRICS_PORT/metrics)"
# The devnet's liquidator is anvil's published development account 1 (never use it elsewhere).
KEEPER_PRIVATE_KEY=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d \
  "$KEEPER" run --config "$DIR/keeper.toml" --metrics-port "$METRICS_PORT" >"$DIR/keeper.log" 2>&1 &
KEEPER_PID=$!
# Show the daemon's story as it happens: start, liquidations as they land, the final summary.
tail -n +1 -f --pid="$KEEPER_PID" "$DIR/keeper.log" |
  grep --line-buffered -E '\[(start|synced|liquidated|liquidation_failed|summary|error)\]' &
for _ in $(seq 1 100); do  # up to 20 s for the first evaluated head
  curl -fs "http://127.0.0.1:$METRICS_PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$KEEPER_PID" 2>/dev/null || { cat "$DIR/keeper.log"; exit 1; }
  sleep 0.2
done

echo; echo "== WETH falls 25% under the running keeper (the Chainlink-shaped feed emits AnswerUpdated)"
"$KEEPER" devnet price WETH -25% --dir "$DIR"

# Wait (at most 30 s) until every liquidation keeper sent has landed and a few quiet blocks passed.
last=-1; quiet=0
for _ in $(seq 1 60); do
  sleep 0.5
  sent=$(grep -c '\[liquidation_sent\]' "$DIR/keeper.log" || true)
  landed=$(grep -c '\[liquidated\]\|\[liquidation_failed\]' "$DIR/keeper.log" || true)
  if [[ "$sent" -gt 0 && "$sent" == "$landed" && "$landed" == "$last" ]]; then
    quiet=$((quiet + 1)); [[ $quiet -ge 6 ]] && break
  else
    quiet=0
  fi
  last=$landed
done

echo; echo "== keeper's latency per stage, from its Prometheus histograms (each stage from the one before)"
curl -fs "http://127.0.0.1:$METRICS_PORT/metrics" >"$DIR/metrics.txt" || true
# p50: the upper bound of the first bucket holding half the observations.
awk -F'[{}" ]+' '
  /^keeper_stage_latency_seconds_bucket/ { b[$3] = b[$3] " " $5 ":" $6 }
  /^keeper_stage_latency_seconds_count/  { n[$3] = $4 }
  /^keeper_stage_latency_seconds_sum/    { s[$3] = $4 }
  END {
    split("evaluated decided signed written sent mined", order, " ")
    printf "  %-10s %8s %14s %14s\n", "stage", "count", "mean", "p50 <="
    for (i = 1; i <= 6; i++) {
      st = order[i]; if (!(st in n) || n[st] == 0) continue
      p50 = "+Inf"; split(b[st], kv, " ")
      for (k in kv) { split(kv[k], p, ":"); if (p[1] != "+Inf" && p[2] >= n[st] / 2 && (p50 == "+Inf" || p[1] + 0 < p50 + 0)) p50 = p[1] }
      printf "  %-10s %8d %12.1f us %12s s\n", st, n[st], s[st] / n[st] * 1e6, p50
    }
  }' "$DIR/metrics.txt"
grep -E '^keeper_(transactions_total|skipped_total|realised_profit_usd_total)' "$DIR/metrics.txt" || true
# decided -> written for each liquidation: p50 interpolated within its histogram bucket.
awk -F'[{}" ]+' '
  /^keeper_decided_to_written_seconds_bucket/ && $3 != "+Inf" { le[++n] = $3; c[n] = $4 }
  /^keeper_decided_to_written_seconds_count/ { total = $2 }
  END {
    if (!total) exit
    prev_le = 0; prev_c = 0
    for (i = 1; i <= n; i++) {
      if (c[i] >= total / 2) { p = prev_le + (le[i] - prev_le) * (total / 2 - prev_c) / (c[i] - prev_c); break }
      prev_le = le[i]; prev_c = c[i]
    }
    printf "  decided -> written: p50 %.0f us over %d liquidations\n", p * 1e6, total
  }' "$DIR/metrics.txt"

kill -TERM "$KEEPER_PID"
wait "$KEEPER_PID" || true
KEEPER_PID=""
sleep 0.2

echo; echo "== on-chain after keeper: Pool.getUserAccountData for every borrower"
"$KEEPER" devnet report --dir "$DIR" | tail -n 1
