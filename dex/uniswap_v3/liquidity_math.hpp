#pragma once
// LiquidityMath of v3-core: a uint128 liquidity plus an int128 delta, checked both ways.
#include "dex/uniswap_v3/math_error.hpp"

namespace dex::uniswap_v3 {

// liquidity_overflow ('LA') above 2^128-1, liquidity_underflow ('LS') below zero.
[[nodiscard]] MathResult<u256> add_delta(const u256& liquidity, const i256& delta) noexcept;

}  // namespace dex::uniswap_v3
