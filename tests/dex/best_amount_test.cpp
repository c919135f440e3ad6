#include <catch2/catch.hpp>

#include "dex/best_amount.hpp"
#include "dex/uniswap_v3/swap_quote.hpp"

using chain::i256;
using chain::u256;
namespace uni = dex::uniswap_v3;

namespace {

const u256 kE18{1'000'000'000'000'000'000ULL};

// A 0.3% pool at price 1 (tick 0): full range 10e18 and a narrow 200e18 over [-600, 600), so
// the price impact of selling collateral grows steeply once the narrow range is left.
uni::PoolState pool() {
  uni::PoolState p;
  p.fee = 3000;
  p.ticks = uni::TickTable{60};
  p.sqrt_price_x96 = u256{1} << 96;
  p.liquidity = kE18 * 210;
  REQUIRE(p.ticks.update(-887220, i256{kE18 * 10}, false).has_value());
  REQUIRE(p.ticks.update(887220, i256{kE18 * 10}, true).has_value());
  REQUIRE(p.ticks.update(-600, i256{kE18 * 200}, false).has_value());
  REQUIRE(p.ticks.update(600, i256{kE18 * 200}, true).has_value());
  return p;
}

}  // namespace

TEST_CASE("the best debt amount beats every other amount, sampled densely, with few quotes",
          "[dex][sizing]") {
  const uni::PoolState p = pool();
  // Repaying `debt` of token1 frees 5% more of token0 (a liquidation bonus at price 1), sold
  // back to token1 through the pool; a 5 bps flash premium on the debt.
  const auto seized = [](const u256& debt) -> std::optional<u256> { return debt * 105 / 100; };
  const auto out = [&](const u256& collateral) -> std::optional<u256> {
    const auto q = uni::quote_exact_input(p, true, collateral, uni::no_price_limit(true));
    if (!q) return std::nullopt;
    return q->amount_out;
  };
  const u256 max_debt = kE18 * 100;
  const auto best = dex::best_input_amount(seized, out, max_debt, 5);
  REQUIRE(best.has_value());
  CHECK(best->profit > 0);
  CHECK(best->input < max_debt);  // price impact makes the whole close factor worse
  CHECK(best->evaluations < 140);

  const auto profit = [&](const u256& debt) {
    return i256{*out(*seized(debt))} - i256{dex::repay_with_premium(debt, 5)};
  };
  CHECK(profit(best->input) == best->profit);
  for (u256 x = 1; x <= max_debt; x += max_debt / 4000) {
    CAPTURE(chain::to_dec(x));
    CHECK(profit(x) <= best->profit);
  }
  // At the wei scale the pool's rounding makes profit jagged (not strictly unimodal): a
  // neighbour may beat the answer by a wei or two, never by more.
  for (int d = 1; d <= 50; ++d) {
    CHECK(profit(best->input + static_cast<unsigned>(d)) <= best->profit + 2);
    CHECK(profit(best->input - static_cast<unsigned>(d)) <= best->profit + 2);
  }
}

TEST_CASE("sizing handles rising, infeasible and single-point ranges", "[dex][sizing]") {
  const dex::ProfitFn rising = [](const u256& x) -> std::optional<i256> { return i256{x}; };
  CHECK(dex::maximise_unimodal(rising, 5, u256{1} << 100)->input == u256{1} << 100);
  const dex::ProfitFn falling = [](const u256& x) -> std::optional<i256> { return -i256{x}; };
  CHECK(dex::maximise_unimodal(falling, 5, 1'000'000)->input == 5);
  const dex::ProfitFn never = [](const u256&) -> std::optional<i256> { return std::nullopt; };
  CHECK(!dex::maximise_unimodal(never, 1, 1000).has_value());
  CHECK(dex::maximise_unimodal(rising, 7, 7)->input == 7);
  CHECK(!dex::maximise_unimodal(rising, 8, 7).has_value());
  // Feasible only up to 1000 (a quote that fails beyond): the best feasible amount is found.
  const dex::ProfitFn capped = [](const u256& x) -> std::optional<i256> {
    if (x > 1000) return std::nullopt;
    return i256{x};
  };
  CHECK(dex::maximise_unimodal(capped, 1, 1'000'000'000)->input == 1000);
  CHECK(dex::repay_with_premium(10'000, 5) == 10'005);
  CHECK(dex::repay_with_premium(1, 5) == 2);  // rounded up
}
