#include "tests/dex/uniswap_v3/pool_setups.hpp"

#include <stdexcept>

#include "tests/dex/uniswap_v3/test_values.hpp"

namespace dex_test {

std::vector<PoolSpec> pool_specs() {
  const u256 big = e18(1000);
  return {
      // Spacing 10: a bitmap word spans 2560 ticks, so the position around 2560 straddles a word
      // edge and a large swap steps through several words.
      {"fee 500",
       0,
       1,
       500,
       0,
       {{-887270, 887270, e18(100), e18(100)},
        {-100, 100, e18(50), e18(50)},
        {-600, -200, big, big},
        {200, 600, big, big},
        {-20, 30, e18(5), e18(5)},
        {2520, 2600, big, big},
        {-3000, -2500, big, big},
        {-100, 100, e18(3), e18(3)}},
       6},
      // Spacing 60, price about 1.82: positions meet at shared ticks (6000, 6060).
      {"fee 3000",
       1,
       2,
       3000,
       6000,
       {{-887220, 887220, e18(50), e18(90)},
        {5400, 6600, e18(20), e18(20)},
        {5940, 6060, e18(10), e18(10)},
        {6060, 7800, big, big},
        {4200, 5400, big, big},
        {6000, 6060, e18(2), e18(2)}},
       4},
      // Spacing 200, narrow positions only: beyond them there is no liquidity at all.
      {"fee 10000",
       0,
       2,
       10000,
       -2000,
       {{-4000, -1000, e18(10), e18(10)},
        {-2400, -1800, e18(5), e18(5)},
        {-1000, 2000, big, big},
        {-10000, -6000, big, big}},
       40},  // every word of spacing 200 (-18..17) from any tick
      // Spacing 1: positions straddle the word edges at -256 and 256; 40 words either side
      // cover ±10240 ticks.
      {"fee 100",
       1,
       2,
       100,
       0,
       {{-887272, 887272, e18(20), e18(20)},
        {-50, 50, e18(30), e18(30)},
        {-300, -250, big, big},
        {255, 257, e18(1), e18(1)},
        {600, 900, big, big},
        {-1, 1, e18(2), e18(2)}},
       40},
  };
}

LivePool create_pool(UniswapFixture& f, const PoolSpec& spec) {
  LivePool p{spec, {}, f.tokens()[spec.token_a], f.tokens()[spec.token_b]};
  // A millionth above the tick's price: off the boundary, yet far enough from it that a position
  // starting at the tick needs a sane amount of token1.
  const u256 at_tick = dex::uniswap_v3::get_sqrt_ratio_at_tick(spec.start_tick).value();
  const u256 price = at_tick + at_tick / 1'000'000;
  p.address = f.create_pool(p.token0, p.token1, spec.fee, price);
  for (const Position& pos : spec.positions)
    (void)f.mint(p.token0, p.token1, spec.fee, pos.lower, pos.upper, pos.amount0, pos.amount1);
  return p;
}

dex::uniswap_v3::PoolState load(UniswapFixture& f, const LivePool& pool) {
  dex::uniswap_v3::LoadOptions options;
  options.words_each_side = pool.spec.load_radius;
  auto loaded = dex::uniswap_v3::load_pool(f.rpc(), pool.address, options);
  if (!loaded) throw std::runtime_error("load_pool: " + loaded.error().message);
  return std::move(loaded->state);
}

}  // namespace dex_test
