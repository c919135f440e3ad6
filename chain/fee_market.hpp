#pragma once
// EIP-1559 fee arithmetic done locally, so that pricing a transaction needs no round trip: the
// next block's base fee follows from the current head alone.
#include <cstdint>

#include "chain/uint256.hpp"

namespace chain {

// The base fee of the block after one with `base_fee`, `gas_used` and `gas_limit`, exactly as
// EIP-1559 specifies it (elasticity 2, change denominator 8; an increase is at least 1 wei).
[[nodiscard]] u256 next_base_fee(const u256& base_fee, std::uint64_t gas_used,
                                 std::uint64_t gas_limit) noexcept;

// What a transaction pays per gas in a block with `base_fee`: min(max_fee, base_fee + tip); zero
// when it cannot be included at all (max_fee below the base fee).
[[nodiscard]] u256 effective_gas_price(const u256& base_fee, const u256& max_fee,
                                       const u256& max_priority_fee) noexcept;

}  // namespace chain
