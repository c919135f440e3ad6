#include "keeper/devnet/uniswap_pool_math.hpp"

#include <cmath>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"

namespace keeper::devnet {
namespace {

// answer (< 2^256) * 10^decimals (< 2^256 for up to 77 decimals) * 2^192 < 2^1024.
using u1024 = boost::multiprecision::number<boost::multiprecision::cpp_int_backend<
    1024, 1024, boost::multiprecision::unsigned_magnitude, boost::multiprecision::unchecked, void>>;
constexpr std::uint8_t kMaxDecimals = 77;

u1024 pow10(unsigned n) {
  u1024 v = 1;
  for (unsigned i = 0; i < n; ++i) v *= 10;
  return v;
}

// TickMath.MIN_SQRT_RATIO and MAX_SQRT_RATIO: the bounds of every pool's sqrt price.
const u256 kMinSqrtRatio{4295128739ULL};  // NOLINT(cert-err58-cpp): no allocation
const u256 kMaxSqrtRatio =                // NOLINT(cert-err58-cpp): parsed once, known valid
    chain::u256_from_dec("1461446703485210103287273052203988822378723970342").value();

constexpr std::int32_t kMaxTick = 887272;

}  // namespace

tl::expected<u256, std::string> oracle_sqrt_price_x96(const PricedToken& token0,
                                                      const PricedToken& token1) {
  if (token0.usd_answer == 0 || token1.usd_answer == 0)
    return tl::unexpected(std::string{"a feed answers 0: no price to set"});
  if (token0.decimals > kMaxDecimals || token1.decimals > kMaxDecimals)
    return tl::unexpected(std::string{"a token has more than 77 decimals"});
  // price = (answer0 / 10^d0) / (answer1 / 10^d1) token1 per token0, in raw units; its square
  // root in Q96 is the root of the price in Q192.
  const u1024 numerator = u1024{token0.usd_answer} * pow10(token1.decimals) << 192;
  const u1024 denominator = u1024{token1.usd_answer} * pow10(token0.decimals);
  const u1024 root = boost::multiprecision::sqrt(numerator / denominator);
  if (root < u1024{kMinSqrtRatio} || root >= u1024{kMaxSqrtRatio})
    return tl::unexpected(std::string{"the oracle price ratio is beyond Uniswap's price range"});
  return static_cast<u256>(root);
}

double price_of_token0(const u256& sqrt_price_x96, std::uint8_t decimals0, std::uint8_t decimals1) {
  const double root = chain::to_double(sqrt_price_x96) / std::ldexp(1.0, 96);
  return root * root * std::pow(10.0, static_cast<double>(decimals0) - decimals1);
}

std::optional<std::pair<std::int32_t, std::int32_t>> full_range_ticks(std::uint32_t fee) {
  // The factory's tiers: 500, 3000 and 10000 at deployment, 100 once enabled by its owner.
  std::int32_t spacing = 0;
  switch (fee) {
    case 100: spacing = 1; break;
    case 500: spacing = 10; break;
    case 3000: spacing = 60; break;
    case 10000: spacing = 200; break;
    default: return std::nullopt;
  }
  const std::int32_t upper = kMaxTick / spacing * spacing;
  return std::pair{-upper, upper};
}

Address pool_address(const Address& factory, const Address& token0, const Address& token1,
                     std::uint32_t fee) {
  // salt = keccak256(abi.encode(token0, token1, fee))
  chain::Bytes key(96, 0);
  std::copy(token0.bytes.begin(), token0.bytes.end(), key.begin() + 12);
  std::copy(token1.bytes.begin(), token1.bytes.end(), key.begin() + 44);
  const auto fee_word = chain::to_be32(u256{fee});
  std::copy(fee_word.begin(), fee_word.end(), key.begin() + 64);
  const chain::Hash salt = chain::keccak256(key);
  chain::Bytes preimage{0xff};
  chain::append(preimage, factory.bytes);
  chain::append(preimage, salt);
  chain::append(preimage, chain::hex_decode(kPoolInitCodeHash).value());
  return Address::from_word(chain::keccak256(preimage));
}

}  // namespace keeper::devnet
