// Local Uniswap V3 quotes: an exact-input swap that crosses ~10 initialized ticks in a 0.3% pool
// (what a liquidation's collateral sale through a moderately deep pool costs to price), and one
// that stays inside the current range. Report the median with --benchmark_repetitions.
#include <benchmark/benchmark.h>

#include "dex/uniswap_v3/swap_quote.hpp"

namespace {

using namespace dex::uniswap_v3;

const u256 kE18{1'000'000'000'000'000'000ULL};

// Spacing 60 at tick 0: a full-range position plus a 120-tick-wide position every 60 ticks on
// either side, so an initialized tick sits on every multiple of 60 between -3000 and 3000.
PoolState ladder_pool() {
  PoolState p;
  p.fee = 3000;
  p.ticks = TickTable{60};
  p.sqrt_price_x96 = get_sqrt_ratio_at_tick(0).value() + 987'654'321;
  p.tick = 0;
  p.liquidity = kE18 * 1000;
  (void)p.ticks.update(-887220, i256{kE18 * 1000}, false);
  (void)p.ticks.update(887220, i256{kE18 * 1000}, true);
  for (Tick lower = -3000; lower < 3000; lower += 60) {
    const i256 l{kE18 * 200};
    (void)p.ticks.update(lower, l, false);
    (void)p.ticks.update(lower + 120, l, true);
    if (lower <= 0 && 0 < lower + 120) p.liquidity += kE18 * 200;
  }
  return p;
}

std::uint32_t crossed_by(const PoolState& p, const u256& amount) {
  return quote_exact_input(p, true, amount, no_price_limit(true)).value().ticks_crossed;
}

// About the smallest input (to 1e15) whose swap crosses `ticks` initialized ticks.
u256 amount_crossing(const PoolState& p, std::uint32_t ticks) {
  u256 high = kE18 / 1000;
  while (crossed_by(p, high) < ticks) high *= 2;
  u256 low = high / 2;
  while (high - low > kE18 / 1000) {
    const u256 mid = (low + high) / 2;
    (crossed_by(p, mid) < ticks ? low : high) = mid;
  }
  return high;
}

void BM_UniswapQuoteCrossing10Ticks(benchmark::State& state) {
  const PoolState p = ladder_pool();
  const u256 amount = amount_crossing(p, 10);
  std::uint32_t crossed = 0;
  for (auto _ : state) {
    auto q = quote_exact_input(p, true, amount, no_price_limit(true));
    crossed = q->ticks_crossed;
    benchmark::DoNotOptimize(q);
  }
  state.counters["ticks_crossed"] = crossed;
}
BENCHMARK(BM_UniswapQuoteCrossing10Ticks);

void BM_UniswapQuoteWithinRange(benchmark::State& state) {
  const PoolState p = ladder_pool();
  for (auto _ : state) {
    auto q = quote_exact_input(p, true, kE18, no_price_limit(true));
    benchmark::DoNotOptimize(q);
  }
}
BENCHMARK(BM_UniswapQuoteWithinRange);

}  // namespace
