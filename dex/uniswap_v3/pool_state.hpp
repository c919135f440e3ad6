#pragma once
// What keeper knows of one Uniswap V3 pool: immutables, slot0's price and tick, in-range liquidity
// and the initialized ticks. Enough to quote any swap the way the pool would execute it.
#include <cstdint>

#include "chain/address.hpp"
#include "dex/uniswap_v3/tick_table.hpp"

namespace dex::uniswap_v3 {

struct PoolState {
  chain::Address address;
  chain::Address token0;
  chain::Address token1;
  std::uint32_t fee = 0;  // pips: 500 is 0.05%
  TickTable ticks;        // carries the tick spacing
  u256 sqrt_price_x96;    // zero until the pool is initialized
  Tick tick = 0;
  u256 liquidity;  // in range at `tick`

  [[nodiscard]] bool initialized() const noexcept { return sqrt_price_x96 != 0; }
  [[nodiscard]] Tick tick_spacing() const noexcept { return ticks.spacing(); }
};

// Whether `tick` can be slot0's tick at `sqrt_price_x96`: the tick of the price, or the one below
// when a downward swap stopped exactly on a tick's price (the pool then sits on tick - 1).
[[nodiscard]] bool tick_matches_price(Tick tick, const u256& sqrt_price_x96) noexcept;

}  // namespace dex::uniswap_v3
