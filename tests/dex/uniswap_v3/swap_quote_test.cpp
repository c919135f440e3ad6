#include <catch2/catch.hpp>

#include "dex/uniswap_v3/path_quote.hpp"
#include "dex/uniswap_v3/swap_quote.hpp"
#include "tests/dex/uniswap_v3/test_values.hpp"

using namespace dex::uniswap_v3;
using dex_test::e18;

namespace {

// A 0.3% pool at tick 0 with a full-range position and one narrow one over [-120, 120).
PoolState small_pool() {
  PoolState p;
  p.fee = 3000;
  p.ticks = TickTable{60};
  p.sqrt_price_x96 = u256{1} << 96;
  p.tick = 0;
  const u256 wide = e18(10);
  const u256 narrow = e18(100);
  REQUIRE(p.ticks.set({-887220, wide, chain::i256{wide}}).has_value());
  REQUIRE(p.ticks.set({887220, wide, -chain::i256{wide}}).has_value());
  REQUIRE(p.ticks.set({-120, narrow, chain::i256{narrow}}).has_value());
  REQUIRE(p.ticks.set({120, narrow, -chain::i256{narrow}}).has_value());
  p.liquidity = wide + narrow;
  return p;
}

}  // namespace

TEST_CASE("a quote crosses initialized ticks, drops their liquidity and keeps the fee on input",
          "[uniswap][quote]") {
  const PoolState p = small_pool();
  const auto q = quote_exact_input(p, true, e18(5), no_price_limit(true));
  REQUIRE(q.has_value());
  CHECK(q->ticks_crossed == 1);  // out of the narrow range at -120
  CHECK(q->tick_after < -120);
  CHECK(q->liquidity_after == e18(10));
  CHECK(q->amount_in == e18(5));
  // The fee is 0.3% of the input, rounded up per step.
  CHECK(q->fee_amount >= e18(5) * 3000 / 1'000'000);
  CHECK(q->fee_amount <= e18(5) * 3000 / 1'000'000 + 2);

  // Asking for exactly that output needs at most the same input.
  const auto back = quote_exact_output(p, true, q->amount_out, no_price_limit(true));
  REQUIRE(back.has_value());
  CHECK(back->amount_out == q->amount_out);
  CHECK(back->amount_in <= q->amount_in);
}

TEST_CASE("a quote stops at the price limit with the input it used", "[uniswap][quote]") {
  const PoolState p = small_pool();
  const u256 limit = get_sqrt_ratio_at_tick(-60).value();
  const auto q = quote_exact_input(p, true, e18(1000), limit);
  REQUIRE(q.has_value());
  CHECK(q->sqrt_price_after == limit);
  // The limit is not a tick the walk stepped to, so the tick is the price's own (not -61).
  CHECK(q->tick_after == -60);
  CHECK(q->amount_in < e18(1000));
  CHECK(q->ticks_crossed == 0);
  // Stopping on an initialized tick's price while walking down leaves the pool just below it.
  const auto on_tick = quote_exact_input(p, true, e18(1000), get_sqrt_ratio_at_tick(-120).value());
  REQUIRE(on_tick.has_value());
  CHECK(on_tick->tick_after == -121);
  CHECK(on_tick->ticks_crossed == 1);
}

TEST_CASE("quotes the pool would refuse are errors", "[uniswap][quote]") {
  PoolState p = small_pool();
  CHECK(quote_exact_input(p, true, 0, no_price_limit(true)).error() == QuoteError::zero_amount);
  CHECK(quote_exact_input(p, true, u256{1} << 255, no_price_limit(true)).error() ==
        QuoteError::amount_too_large);
  CHECK(quote_exact_input(p, true, 1, p.sqrt_price_x96).error() == QuoteError::bad_price_limit);
  CHECK(quote_exact_input(p, false, 1, kMaxSqrtRatio).error() == QuoteError::bad_price_limit);
  CHECK(quote_exact_input(p, true, 1, kMinSqrtRatio).error() == QuoteError::bad_price_limit);
  // A partial load: the walk may not step into a word nobody read.
  p.ticks.set_known_words(0, 0);
  CHECK(quote_exact_input(p, true, e18(1), no_price_limit(true)).error() ==
        QuoteError::ticks_not_loaded);
  PoolState blank;
  CHECK(quote_exact_input(blank, true, 1, no_price_limit(true)).error() ==
        QuoteError::not_initialized);
}

TEST_CASE("a path must chain its tokens", "[uniswap][quote]") {
  PoolState a = small_pool();
  PoolState b = small_pool();
  a.token0 = chain::Address::from_hex("0x0000000000000000000000000000000000000001").value();
  a.token1 = chain::Address::from_hex("0x0000000000000000000000000000000000000002").value();
  b.token0 = a.token1;
  b.token1 = chain::Address::from_hex("0x0000000000000000000000000000000000000003").value();
  const Hop good[] = {{&a, true}, {&b, true}};
  const Hop broken[] = {{&a, true}, {&b, false}};
  const auto q = quote_path_exact_input(good, e18(1));
  REQUIRE(q.has_value());
  CHECK(q->hops.size() == 2);
  CHECK(q->amount_out == q->hops[1].amount_out);
  CHECK(q->hops[1].amount_in == q->hops[0].amount_out);
  const auto bad = quote_path_exact_input(broken, e18(1));
  REQUIRE(!bad.has_value());
  CHECK(bad.error().in_path);
  CHECK(bad.error().path == PathError::disconnected);
  CHECK(quote_path_exact_input(std::span<const Hop>{}, 1).error().path == PathError::empty_path);
  const auto out = quote_path_exact_output(good, e18(1));
  REQUIRE(out.has_value());
  CHECK(out->hops[0].amount_out == out->hops[1].amount_in);
}
