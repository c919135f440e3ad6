#include "chain/fee_market.hpp"

#include <algorithm>

namespace chain {
namespace {

constexpr std::uint64_t kElasticityMultiplier = 2;
constexpr std::uint64_t kBaseFeeChangeDenominator = 8;

}  // namespace

u256 next_base_fee(const u256& base_fee, std::uint64_t gas_used, std::uint64_t gas_limit) noexcept {
  const std::uint64_t target = gas_limit / kElasticityMultiplier;
  if (target == 0 || gas_used == target) return base_fee;
  if (gas_used > target) {
    const u256 delta =
        base_fee * u256{gas_used - target} / u256{target} / u256{kBaseFeeChangeDenominator};
    return base_fee + std::max(delta, u256{1});
  }
  const u256 delta =
      base_fee * u256{target - gas_used} / u256{target} / u256{kBaseFeeChangeDenominator};
  return base_fee - delta;
}

u256 effective_gas_price(const u256& base_fee, const u256& max_fee,
                         const u256& max_priority_fee) noexcept {
  if (max_fee < base_fee) return 0;
  return std::min(max_fee, base_fee + max_priority_fee);
}

}  // namespace chain
