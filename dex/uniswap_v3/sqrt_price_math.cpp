#include "dex/uniswap_v3/sqrt_price_math.hpp"

#include <utility>

#include "dex/uniswap_v3/full_math.hpp"

namespace dex::uniswap_v3 {
namespace {

// a*b when it fits 256 bits (the contract's `(product = a * b) / a == b` test).
bool product_fits(const u256& a, const u256& b, u256& product) noexcept {
  product = a * b;
  return a == 0 || product / a == b;
}

MathResult<u256> to_uint160(const MathResult<u256>& v) noexcept {
  if (v && *v > kU160Max) return tl::unexpected(MathError::overflow);
  return v;
}

MathResult<i256> to_int256(const MathResult<u256>& v, bool negate) noexcept {
  if (!v) return tl::unexpected(v.error());
  if (*v > kInt256Max) return tl::unexpected(MathError::overflow);
  const i256 s{*v};
  return negate ? i256{-s} : s;
}

}  // namespace

MathResult<u256> get_next_sqrt_price_from_amount0_rounding_up(const u256& sqrt_price,
                                                              const u256& liquidity,
                                                              const u256& amount,
                                                              bool add) noexcept {
  // A zero amount would not give back exactly the input price through the formula.
  if (amount == 0) return sqrt_price;
  const u256 numerator1 = liquidity << 96;
  u256 product;
  if (add) {
    if (product_fits(amount, sqrt_price, product)) {
      const u256 denominator = numerator1 + product;
      if (denominator >= numerator1)
        return mul_div_rounding_up(numerator1, sqrt_price, denominator);
    }
    // The precise form overflowed: L / (L/sqrtP + amount), less precise but always defined.
    if (sqrt_price == 0) return tl::unexpected(MathError::division_by_zero);
    const u256 quotient = numerator1 / sqrt_price;
    const u256 sum = quotient + amount;
    if (sum < quotient) return tl::unexpected(MathError::overflow);
    return div_rounding_up(numerator1, sum);
  }
  // Removing token0: if the product overflows, the denominator would underflow anyway.
  if (!product_fits(amount, sqrt_price, product) || numerator1 <= product)
    return tl::unexpected(MathError::price_underflow);
  return to_uint160(mul_div_rounding_up(numerator1, sqrt_price, numerator1 - product));
}

MathResult<u256> get_next_sqrt_price_from_amount1_rounding_down(const u256& sqrt_price,
                                                                const u256& liquidity,
                                                                const u256& amount,
                                                                bool add) noexcept {
  if (add) {
    if (liquidity == 0) return tl::unexpected(MathError::division_by_zero);
    MathResult<u256> quotient = amount <= kU160Max ? MathResult<u256>{(amount << 96) / liquidity}
                                                   : mul_div(amount, kQ96, liquidity);
    if (!quotient) return quotient;
    const u256 next = sqrt_price + *quotient;
    if (next < sqrt_price || next > kU160Max) return tl::unexpected(MathError::overflow);
    return next;
  }
  MathResult<u256> quotient = amount <= kU160Max
                                  ? MathResult<u256>{div_rounding_up(amount << 96, liquidity)}
                                  : mul_div_rounding_up(amount, kQ96, liquidity);
  if (!quotient) return quotient;
  if (sqrt_price <= *quotient) return tl::unexpected(MathError::price_underflow);
  return sqrt_price - *quotient;
}

MathResult<u256> get_next_sqrt_price_from_input(const u256& sqrt_price, const u256& liquidity,
                                                const u256& amount_in, bool zero_for_one) noexcept {
  if (sqrt_price == 0) return tl::unexpected(MathError::zero_price);
  if (liquidity == 0) return tl::unexpected(MathError::zero_liquidity);
  return zero_for_one
             ? get_next_sqrt_price_from_amount0_rounding_up(sqrt_price, liquidity, amount_in, true)
             : get_next_sqrt_price_from_amount1_rounding_down(sqrt_price, liquidity, amount_in,
                                                              true);
}

MathResult<u256> get_next_sqrt_price_from_output(const u256& sqrt_price, const u256& liquidity,
                                                 const u256& amount_out,
                                                 bool zero_for_one) noexcept {
  if (sqrt_price == 0) return tl::unexpected(MathError::zero_price);
  if (liquidity == 0) return tl::unexpected(MathError::zero_liquidity);
  return zero_for_one ? get_next_sqrt_price_from_amount1_rounding_down(sqrt_price, liquidity,
                                                                       amount_out, false)
                      : get_next_sqrt_price_from_amount0_rounding_up(sqrt_price, liquidity,
                                                                     amount_out, false);
}

MathResult<u256> get_amount0_delta(const u256& sqrt_a, const u256& sqrt_b, const u256& liquidity,
                                   bool round_up) noexcept {
  const u256& lower = sqrt_a < sqrt_b ? sqrt_a : sqrt_b;
  const u256& upper = sqrt_a < sqrt_b ? sqrt_b : sqrt_a;
  if (lower == 0) return tl::unexpected(MathError::zero_price);
  const u256 numerator1 = liquidity << 96;
  const u256 numerator2 = upper - lower;
  if (round_up)
    return mul_div_rounding_up(numerator1, numerator2, upper).map([&](const u256& v) {
      return div_rounding_up(v, lower);
    });
  return mul_div(numerator1, numerator2, upper).map([&](const u256& v) { return v / lower; });
}

MathResult<u256> get_amount1_delta(const u256& sqrt_a, const u256& sqrt_b, const u256& liquidity,
                                   bool round_up) noexcept {
  const u256& lower = sqrt_a < sqrt_b ? sqrt_a : sqrt_b;
  const u256& upper = sqrt_a < sqrt_b ? sqrt_b : sqrt_a;
  return round_up ? mul_div_rounding_up(liquidity, upper - lower, kQ96)
                  : mul_div(liquidity, upper - lower, kQ96);
}

MathResult<i256> get_amount0_delta_signed(const u256& sqrt_a, const u256& sqrt_b,
                                          const i256& liquidity) noexcept {
  const bool removed = liquidity < 0;
  const u256 magnitude{removed ? i256{-liquidity} : liquidity};
  return to_int256(get_amount0_delta(sqrt_a, sqrt_b, magnitude, !removed), removed);
}

MathResult<i256> get_amount1_delta_signed(const u256& sqrt_a, const u256& sqrt_b,
                                          const i256& liquidity) noexcept {
  const bool removed = liquidity < 0;
  const u256 magnitude{removed ? i256{-liquidity} : liquidity};
  return to_int256(get_amount1_delta(sqrt_a, sqrt_b, magnitude, !removed), removed);
}

}  // namespace dex::uniswap_v3
