#pragma once
// FullMath of v3-core: a*b/d with a 512-bit intermediate, so a product above 2^256 ("phantom
// overflow") still gives the exact quotient; only a quotient above 2^256-1 is an error.
#include "dex/uniswap_v3/math_error.hpp"

namespace dex::uniswap_v3 {

// floor(a*b/d).
[[nodiscard]] MathResult<u256> mul_div(const u256& a, const u256& b, const u256& d) noexcept;
// ceil(a*b/d); an error when the rounded result no longer fits 256 bits, as the contract's is.
[[nodiscard]] MathResult<u256> mul_div_rounding_up(const u256& a, const u256& b,
                                                   const u256& d) noexcept;
// UnsafeMath.divRoundingUp: ceil(x/y), and 0 for y == 0 as the EVM's DIV and MOD give.
[[nodiscard]] u256 div_rounding_up(const u256& x, const u256& y) noexcept;

}  // namespace dex::uniswap_v3
