#pragma once
// The pools the chain tests build: one per fee tier, each with full-range and narrow positions
// (so swaps cross initialized ticks, some on bitmap word edges), or narrow positions only (so a
// large swap runs out of liquidity and stops at the price limit).
#include <string>
#include <vector>

#include "dex/uniswap_v3/pool_loader.hpp"
#include "tests/dex/uniswap_v3/uniswap_fixture.hpp"

namespace dex_test {

struct Position {
  Tick lower, upper;
  u256 amount0, amount1;  // desired; the position manager takes what the range needs
};

struct PoolSpec {
  std::string name;
  std::size_t token_a, token_b;  // indices into the fixture's ascending tokens
  std::uint32_t fee;
  Tick start_tick;
  std::vector<Position> positions;
  std::int32_t load_radius;  // bitmap words to load either side of the current tick
};

struct LivePool {
  PoolSpec spec;
  Address address;
  Address token0, token1;
};

[[nodiscard]] std::vector<PoolSpec> pool_specs();

// Creates, initializes (just above start_tick's price, off the tick boundary) and funds a pool.
LivePool create_pool(UniswapFixture& f, const PoolSpec& spec);

[[nodiscard]] dex::uniswap_v3::PoolState load(UniswapFixture& f, const LivePool& pool);

}  // namespace dex_test
