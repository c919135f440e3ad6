#include "protocols/aave_v3/wad_ray_math.hpp"

#include <array>

#include "chain/uint256_words.hpp"

namespace protocols::aave_v3 {

using chain::checked_add;
using chain::checked_mul;
using chain::kU256Max;

namespace {

// The bits `v` needs (0 for 0). Two factors whose bits add up to at most 255 multiply to under
// 2^255, so adding anything under 2^255 cannot overflow: the Solidity guards below then hold
// without their division, which is most of the cost of these functions.
unsigned bits(const u256& v) { return chain::words::bit_width(v); }

constexpr unsigned kWadBits = 60;         // 10^18 < 2^60
constexpr unsigned kRayBits = 90;         // 10^27 < 2^90
constexpr unsigned kPercentageBits = 14;  // 10^4 < 2^14
// kPercentageFactor and kHalfPercentage as words, for the one-word paths.
constexpr std::uint64_t kPercentageWord = 10'000;
constexpr std::uint64_t kHalfPercentageWord = 5'000;

// 10^27 does not fit in a word; its factors do, and dividing by one then the other is the same.
const u256 kGiga{1'000'000'000ULL};

bool small_product(const u256& a, unsigned b_bits) { return bits(a) + b_bits <= 255; }

}  // namespace

u256 pow10(std::uint32_t n) {
  // Every decimals value a reserve can have, computed once: a rank pass asks for them millions
  // of times.
  static const std::array<u256, 78> table = [] {
    std::array<u256, 78> out{};
    out[0] = 1;
    for (std::size_t i = 1; i < out.size(); ++i) out[i] = out[i - 1] * 10;
    return out;
  }();
  if (n < table.size()) return table[n];
  u256 v = table.back();
  for (std::uint32_t i = table.size() - 1; i < n; ++i) v *= 10;  // wraps, as the loop always did
  return v;
}

std::optional<u256> wad_mul(const u256& a, const u256& b) {
  if (!small_product(a, bits(b)) && b != 0 && a > (kU256Max - kHalfWad) / b) return std::nullopt;
  return chain::mul_add_div(a, b, kHalfWad, kWad);
}

std::optional<u256> wad_div(const u256& a, const u256& b) {
  if (b == 0) return std::nullopt;
  if (!small_product(a, kWadBits) && a > (kU256Max - b / 2) / kWad) return std::nullopt;
  return chain::mul_add_div(a, kWad, b >> 1, b);
}

std::optional<u256> ray_mul(const u256& a, const u256& b) {
  if (!small_product(a, bits(b)) && b != 0 && a > (kU256Max - kHalfRay) / b) return std::nullopt;
  return chain::mul_add_div_by_product(a, b, kHalfRay, kGiga, kWad);
}

std::optional<u256> ray_div(const u256& a, const u256& b) {
  if (b == 0) return std::nullopt;
  if (!small_product(a, kRayBits) && a > (kU256Max - b / 2) / kRay) return std::nullopt;
  return chain::mul_add_div(a, kRay, b >> 1, b);
}

u256 ray_to_wad(const u256& a) {
  u256 b = a / kWadRayRatio;
  if (a % kWadRayRatio >= kWadRayRatio / 2) b += 1;
  return b;
}

std::optional<u256> wad_to_ray(const u256& a) { return checked_mul(a, kWadRayRatio); }

std::optional<u256> percent_mul(const u256& value, const u256& percentage) {
  // Two words by one cannot overflow (under 2^192): no guard, one straight-line product.
  if (chain::words::fits_two_words(value) && chain::words::fits_word(percentage))
    return chain::words::mul_word_add_div_word(value, chain::words::low_word(percentage),
                                               kHalfPercentageWord, kPercentageWord);
  if (!small_product(value, bits(percentage)) && percentage != 0 &&
      value > (kU256Max - kHalfPercentage) / percentage)
    return std::nullopt;
  return chain::mul_add_div(value, percentage, kHalfPercentage, kPercentageFactor);
}

std::optional<u256> percent_div(const u256& value, const u256& percentage) {
  if (percentage == 0) return std::nullopt;
  if (chain::words::fits_two_words(value) && chain::words::fits_word(percentage)) {
    const auto p = chain::words::low_word(percentage);
    return chain::words::mul_word_add_div_word(value, kPercentageWord, p >> 1, p);
  }
  if (!small_product(value, kPercentageBits) &&
      value > (kU256Max - percentage / 2) / kPercentageFactor)
    return std::nullopt;
  return chain::mul_add_div(value, kPercentageFactor, percentage >> 1, percentage);
}

std::optional<u256> linear_interest(const u256& rate, std::uint64_t last_update,
                                    std::uint64_t now) {
  if (now < last_update) return std::nullopt;  // Solidity's checked subtraction
  auto result = checked_mul(rate, u256{now - last_update});
  if (!result) return std::nullopt;
  return checked_add(kRay, *result / kSecondsPerYear);
}

std::optional<u256> compounded_interest(const u256& rate, std::uint64_t last_update,
                                        std::uint64_t now) {
  if (now < last_update) return std::nullopt;
  const u256 exp{now - last_update};
  if (exp == 0) return kRay;
  const u256 exp_minus_one = exp - 1;
  const u256 exp_minus_two = exp > 2 ? exp - 2 : u256{0};
  // The unchecked block of MathUtils: rayMul still reverts on overflow, the divisions cannot.
  const auto rate_squared = ray_mul(rate, rate);
  if (!rate_squared) return std::nullopt;
  const u256 base_power_two = *rate_squared / (u256{kSecondsPerYear} * kSecondsPerYear);
  const auto base_three = ray_mul(base_power_two, rate);
  if (!base_three) return std::nullopt;
  const u256 base_power_three = *base_three / kSecondsPerYear;

  auto second = checked_mul(exp, exp_minus_one);
  if (second) second = checked_mul(*second, base_power_two);
  auto third = checked_mul(exp, exp_minus_one);
  if (third) third = checked_mul(*third, exp_minus_two);
  if (third) third = checked_mul(*third, base_power_three);
  auto first = checked_mul(rate, exp);
  if (!first || !second || !third) return std::nullopt;

  auto sum = checked_add(kRay, *first / kSecondsPerYear);
  if (sum) sum = checked_add(*sum, *second / 2);
  if (sum) sum = checked_add(*sum, *third / 6);
  return sum;
}

}  // namespace protocols::aave_v3
