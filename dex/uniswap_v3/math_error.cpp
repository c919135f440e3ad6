#include "dex/uniswap_v3/math_error.hpp"

namespace dex::uniswap_v3 {

std::string_view describe(MathError e) noexcept {
  switch (e) {
    case MathError::division_by_zero: return "division by zero";
    case MathError::overflow: return "result overflows its type";
    case MathError::tick_out_of_range: return "tick outside [MIN_TICK, MAX_TICK]";
    case MathError::price_out_of_range:
      return "sqrt price outside [MIN_SQRT_RATIO, MAX_SQRT_RATIO)";
    case MathError::zero_price: return "sqrt price is zero";
    case MathError::zero_liquidity: return "liquidity is zero";
    case MathError::price_underflow: return "amount exceeds the virtual reserves";
    case MathError::liquidity_overflow: return "liquidity overflows uint128";
    case MathError::liquidity_underflow: return "liquidity underflows zero";
  }
  return "unknown math error";
}

}  // namespace dex::uniswap_v3
