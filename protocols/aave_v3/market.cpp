#include "protocols/aave_v3/market.hpp"

#include <algorithm>

namespace protocols::aave_v3 {

const Position* Account::position(std::uint16_t reserve) const noexcept {
  const auto it =
      std::lower_bound(positions.begin(), positions.end(), reserve,
                       [](const Position& p, std::uint16_t r) { return p.reserve < r; });
  return it != positions.end() && it->reserve == reserve ? &*it : nullptr;
}

const Reserve* Market::reserve_of(const Address& asset) const noexcept {
  for (const auto& r : reserves)
    if (r.asset == asset) return &r;
  return nullptr;
}

}  // namespace protocols::aave_v3
