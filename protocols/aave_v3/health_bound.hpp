#pragma once
// An Aave V3 account's health as a linear bound in the prices, for a cascade to skip, without the
// exact math, the accounts that cannot be under 1 at given prices (strategy::cascade::HealthBound).
#include <cstdint>

#include "protocols/aave_v3/market.hpp"
#include "strategy/cascade/ledger.hpp"

namespace protocols::aave_v3 {

// The terms and slack of `account` at `m`'s indexes accrued to `timestamp`: no terms when the
// oracle's prices alone do not value it (an eMode category with its own price) or a balance
// overflows, slack -inf when it owes nothing.
void linear_health_bound(const Market& m, const Account& account, std::uint64_t timestamp,
                         strategy::cascade::HealthBound& out);

}  // namespace protocols::aave_v3
