#include "dex/uniswap_v3/full_math.hpp"

namespace dex::uniswap_v3 {
namespace {

struct QuotientRemainder {
  u256 quotient;
  bool remainder_nonzero = false;
};

MathResult<QuotientRemainder> divide(const u256& a, const u256& b, const u256& d) noexcept {
  if (d == 0) return tl::unexpected(MathError::division_by_zero);
  // Most operands of swap math are below 2^128: their product fits 256 bits and the 512-bit
  // path, several times slower, is not needed.
  if ((a >> 128) == 0 && (b >> 128) == 0) {
    const u256 product = a * b;
    return QuotientRemainder{product / d, product % d != 0};
  }
  const u512 product = u512{a} * u512{b};
  const u512 quotient = product / u512{d};
  if (quotient > u512{chain::kU256Max}) return tl::unexpected(MathError::overflow);
  return QuotientRemainder{static_cast<u256>(quotient), quotient * u512{d} != product};
}

}  // namespace

MathResult<u256> mul_div(const u256& a, const u256& b, const u256& d) noexcept {
  return divide(a, b, d).map([](const QuotientRemainder& q) { return q.quotient; });
}

MathResult<u256> mul_div_rounding_up(const u256& a, const u256& b, const u256& d) noexcept {
  const auto q = divide(a, b, d);
  if (!q) return tl::unexpected(q.error());
  if (!q->remainder_nonzero) return q->quotient;
  if (q->quotient == chain::kU256Max) return tl::unexpected(MathError::overflow);
  return q->quotient + 1;
}

u256 div_rounding_up(const u256& x, const u256& y) noexcept {
  if (y == 0) return 0;
  const u256 q = x / y;
  return x % y != 0 ? q + 1 : q;
}

}  // namespace dex::uniswap_v3
