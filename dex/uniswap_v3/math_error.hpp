#pragma once
// Why a Uniswap V3 computation has no result: each case is a revert of the contract's own math,
// so a local quote fails exactly where the pool's swap would.
#include <string_view>

#include <tl/expected.hpp>

#include "chain/uint256.hpp"

namespace dex::uniswap_v3 {

using chain::i256;
using chain::u256;
using chain::u512;

enum class MathError {
  division_by_zero,     // FullMath with a zero denominator
  overflow,             // a result that does not fit its Solidity type (uint256, uint160, int256)
  tick_out_of_range,    // TickMath 'T'
  price_out_of_range,   // TickMath 'R'
  zero_price,           // SqrtPriceMath require(sqrtPX96 > 0)
  zero_liquidity,       // SqrtPriceMath require(liquidity > 0)
  price_underflow,      // the output asked for is at least the virtual reserves
  liquidity_overflow,   // LiquidityMath 'LA'
  liquidity_underflow,  // LiquidityMath 'LS'
};

[[nodiscard]] std::string_view describe(MathError e) noexcept;

template <typename T>
using MathResult = tl::expected<T, MathError>;

// Bounds of the Solidity types the contracts store prices, liquidity and ticks in.
inline const u256 kU160Max = (u256{1} << 160) - 1;
inline const u256 kU128Max = (u256{1} << 128) - 1;
inline const u256 kInt256Max = (u256{1} << 255) - 1;
inline const u256 kQ96 = u256{1} << 96;

}  // namespace dex::uniswap_v3
