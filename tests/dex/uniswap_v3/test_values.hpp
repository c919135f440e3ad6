#pragma once
// Values the v3-core tests build their cases from (encodePriceSqrt, expandTo18Decimals), computed
// exactly here.
#include <string_view>

#include "chain/uint256.hpp"

namespace dex_test {

using chain::u256;

inline u256 dec(std::string_view text) { return chain::u256_from_dec(text).value(); }

// floor(sqrt(reserve1 / reserve0) * 2^96), as v3-core's encodePriceSqrt.
inline u256 encode_price_sqrt(const u256& reserve1, const u256& reserve0) {
  const chain::u512 ratio_x192 = (chain::u512{reserve1} << 192) / chain::u512{reserve0};
  return static_cast<u256>(boost::multiprecision::sqrt(ratio_x192));
}

inline u256 e18(std::uint64_t n) { return u256{n} * u256{1'000'000'000'000'000'000ULL}; }

inline const u256 kQ128 = u256{1} << 128;

}  // namespace dex_test
