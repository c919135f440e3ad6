#pragma once
// Aave V3's fixed-point math (WadRayMath, PercentageMath) with the same half-up rounding and the
// same overflow reverts: nullopt where the Solidity would revert.
#include <optional>

#include "chain/uint256.hpp"

namespace protocols::aave_v3 {

using chain::u256;

inline const u256 kWad{1'000'000'000'000'000'000ULL};
inline const u256 kHalfWad{500'000'000'000'000'000ULL};
inline const u256 kRay = u256{1'000'000'000ULL} * kWad;
inline const u256 kHalfRay = u256{500'000'000ULL} * kWad;
inline const u256 kWadRayRatio{1'000'000'000ULL};
inline const u256 kPercentageFactor{10'000};
inline const u256 kHalfPercentage{5'000};
inline constexpr std::uint64_t kSecondsPerYear = 365ULL * 24 * 3600;

// 10^n, the asset unit of a reserve with n decimals (unchecked in Solidity; n <= 77 fits).
[[nodiscard]] u256 pow10(std::uint32_t n);

[[nodiscard]] std::optional<u256> wad_mul(const u256& a, const u256& b);
[[nodiscard]] std::optional<u256> wad_div(const u256& a, const u256& b);
[[nodiscard]] std::optional<u256> ray_mul(const u256& a, const u256& b);
[[nodiscard]] std::optional<u256> ray_div(const u256& a, const u256& b);
[[nodiscard]] u256 ray_to_wad(const u256& a);
[[nodiscard]] std::optional<u256> wad_to_ray(const u256& a);
[[nodiscard]] std::optional<u256> percent_mul(const u256& value, const u256& percentage);
[[nodiscard]] std::optional<u256> percent_div(const u256& value, const u256& percentage);

// MathUtils: interest factors in ray between two timestamps.
[[nodiscard]] std::optional<u256> linear_interest(const u256& rate, std::uint64_t last_update,
                                                  std::uint64_t now);
[[nodiscard]] std::optional<u256> compounded_interest(const u256& rate, std::uint64_t last_update,
                                                      std::uint64_t now);

}  // namespace protocols::aave_v3
