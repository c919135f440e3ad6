#pragma once
// How much ETH the wallet should keep for gas, shared by `keeper doctor` (checked before going
// live) and the balance gauges (exported, so an alert can fire on it).
#include <cstdint>

#include "chain/uint256.hpp"

namespace keeper::ops {

// Gas one liquidation may take: the most measured on the devnet, a flash liquidation through two
// Uniswap pools (660k-700k; a direct one through keeper's contract takes 250k-400k). Replacements
// do not add to it: a mined transaction pays once.
inline constexpr std::uint64_t kGasPerLiquidation = 700'000;

// Liquidations the wallet should be able to pay for at the fee cap: a cascade liquidates several
// accounts within a block or two, and a wallet that runs dry mid-cascade hands the rest to others.
inline constexpr std::uint64_t kLiquidationsInReserve = 5;

// Wei `liquidations` cost at `max_fee_per_gas` (the configured cap: the most keeper pays per gas).
[[nodiscard]] inline chain::u256 gas_reserve_wei(const chain::u256& max_fee_per_gas,
                                                 std::uint64_t liquidations) {
  return max_fee_per_gas * chain::u256{kGasPerLiquidation} * chain::u256{liquidations};
}

}  // namespace keeper::ops
