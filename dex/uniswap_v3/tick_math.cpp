#include "dex/uniswap_v3/tick_math.hpp"

#include <array>

namespace dex::uniswap_v3 {
namespace {

struct Q128 {
  std::uint64_t hi;
  std::uint64_t lo;
  [[nodiscard]] u256 value() const { return (u256{hi} << 64) | u256{lo}; }
};

// 2^128 / sqrt(1.0001)^(2^i) for bit i of |tick|, as TickMath's magic numbers (Q128.128).
constexpr std::array<Q128, 20> kFactors{{
    {0xfffcb933bd6fad37ULL, 0xaa2d162d1a594001ULL}, {0xfff97272373d4132ULL, 0x59a46990580e213aULL},
    {0xfff2e50f5f656932ULL, 0xef12357cf3c7fdccULL}, {0xffe5caca7e10e4e6ULL, 0x1c3624eaa0941cd0ULL},
    {0xffcb9843d60f6159ULL, 0xc9db58835c926644ULL}, {0xff973b41fa98c081ULL, 0x472e6896dfb254c0ULL},
    {0xff2ea16466c96a38ULL, 0x43ec78b326b52861ULL}, {0xfe5dee046a99a2a8ULL, 0x11c461f1969c3053ULL},
    {0xfcbe86c7900a88aeULL, 0xdcffc83b479aa3a4ULL}, {0xf987a7253ac41317ULL, 0x6f2b074cf7815e54ULL},
    {0xf3392b0822b70005ULL, 0x940c7a398e4b70f3ULL}, {0xe7159475a2c29b74ULL, 0x43b29c7fa6e889d9ULL},
    {0xd097f3bdfd2022b8ULL, 0x845ad8f792aa5825ULL}, {0xa9f746462d870fdfULL, 0x8a65dc1f90e061e5ULL},
    {0x70d869a156d2a1b8ULL, 0x90bb3df62baf32f7ULL}, {0x31be135f97d08fd9ULL, 0x81231505542fcfa6ULL},
    {0x09aa508b5b7a84e1ULL, 0xc677de54f3e99bc9ULL}, {0x005d6af8dedb8119ULL, 0x6699c329225ee604ULL},
    {0x00002216e584f5faULL, 0x1ea926041bedfe98ULL}, {0x00000000048a1703ULL, 0x91f7dc42444e8fa2ULL},
}};

struct Factors {
  std::array<u256, 20> values;
  Factors() {
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = kFactors[i].value();
  }
};

const Factors& factors() {
  static const Factors f;
  return f;
}

// The contract computes log2 in two's-complement int256; these helpers keep that exact
// arithmetic on u256 words (wrapping, as the EVM does) instead of a sign-magnitude type.
u256 twos_from(std::int64_t v) noexcept {
  return v < 0 ? u256{0} - u256{static_cast<std::uint64_t>(-v)}
               : u256{static_cast<std::uint64_t>(v)};
}

bool negative(const u256& w) noexcept { return (w >> 255) != 0; }

// Arithmetic shift right (SAR) of a two's-complement word.
u256 sar(const u256& w, unsigned bits) noexcept {
  if (!negative(w)) return w >> bits;
  return ~((~w) >> bits);
}

// A two's-complement word known to hold a small value, as int64.
std::int64_t small_int(const u256& w) noexcept {
  return negative(w) ? -static_cast<std::int64_t>(chain::low_u64(u256{0} - w))
                     : static_cast<std::int64_t>(chain::low_u64(w));
}

// log_sqrt(1.0001)(2) in Q128 and the error bounds of the approximation, from TickMath.
const u256 kLogSqrt10001 = (u256{0x3627ULL} << 64) | u256{0xa301d71055774c85ULL};
const u256 kTickLowOffset = (u256{0x028f6481ab7f045aULL} << 64) | u256{0x5af012a19d003aaaULL};
const u256 kTickHighOffset = (u256{0xdb2df09e81959a81ULL} << 64) | u256{0x455e260799a0632fULL};

}  // namespace

MathResult<u256> get_sqrt_ratio_at_tick(Tick tick) noexcept {
  if (tick < kMinTick || tick > kMaxTick) return tl::unexpected(MathError::tick_out_of_range);
  const auto abs_tick = static_cast<std::uint32_t>(tick < 0 ? -tick : tick);
  const auto& f = factors().values;
  u256 ratio = (abs_tick & 1U) != 0 ? f[0] : u256{1} << 128;
  for (unsigned bit = 1; bit < f.size(); ++bit)
    if ((abs_tick & (1U << bit)) != 0) ratio = (ratio * f[bit]) >> 128;
  // The factors are for negative ticks; a positive tick is the reciprocal.
  if (tick > 0) ratio = chain::kU256Max / ratio;
  // Q128.128 to Q64.96, rounded up so that get_tick_at_sqrt_ratio of the result is `tick`.
  const u256 low_bits = ratio & u256{0xffffffffULL};
  return (ratio >> 32) + (low_bits != 0 ? 1 : 0);
}

MathResult<Tick> get_tick_at_sqrt_ratio(const u256& sqrt_price_x96) noexcept {
  if (sqrt_price_x96 < kMinSqrtRatio || sqrt_price_x96 >= kMaxSqrtRatio)
    return tl::unexpected(MathError::price_out_of_range);
  const u256 ratio = sqrt_price_x96 << 32;  // Q128.128
  const unsigned msb = boost::multiprecision::msb(ratio);

  // Normalise to [2^127, 2^128) and take the fractional bits of log2 by repeated squaring.
  u256 r = msb >= 128 ? ratio >> (msb - 127) : ratio << (127 - msb);
  u256 log_2 = twos_from(static_cast<std::int64_t>(msb) - 128) << 64;
  for (unsigned bit = 63; bit >= 50; --bit) {
    r = (r * r) >> 127;
    const unsigned f = static_cast<unsigned>(chain::low_u64(r >> 128));
    log_2 |= u256{f} << bit;
    r >>= f;
  }

  const u256 log_sqrt10001 = log_2 * kLogSqrt10001;  // wrapping, as int256 multiplication
  const auto tick_low = static_cast<Tick>(small_int(sar(log_sqrt10001 - kTickLowOffset, 128)));
  const auto tick_high = static_cast<Tick>(small_int(sar(log_sqrt10001 + kTickHighOffset, 128)));
  if (tick_low == tick_high) return tick_low;
  const auto high_price = get_sqrt_ratio_at_tick(tick_high);
  return high_price && *high_price <= sqrt_price_x96 ? tick_high : tick_low;
}

}  // namespace dex::uniswap_v3
