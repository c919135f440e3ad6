#pragma once
// A price shock as people write it: "WETH -20%", "WBTC +12.5%"; and a sweep of them:
// "WETH -5%..-50%/5" (from -5% to -50% in steps of 5 points).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "chain/uint256.hpp"

namespace strategy::cascade {

struct Shock {
  std::string symbol;
  std::int32_t basis_points = 0;  // -2000 is -20%; always above -10000
};

enum class ShockErrorKind { malformed, out_of_range, too_many_steps };
struct ShockError {
  ShockErrorKind kind = ShockErrorKind::malformed;
  std::string message;
};

inline constexpr std::size_t kMaxSweepSteps = 200;

[[nodiscard]] tl::expected<Shock, ShockError> parse_shock(std::string_view text);
[[nodiscard]] tl::expected<std::vector<Shock>, ShockError> parse_sweep(std::string_view text);

// old × (10000 + bp) / 10000, rounded down: what `keeper devnet price SYMBOL -N%` writes.
[[nodiscard]] chain::u256 shocked_price(const chain::u256& price, std::int32_t basis_points);

// "-20%", "+12.5%".
[[nodiscard]] std::string percent_text(std::int32_t basis_points);

}  // namespace strategy::cascade
