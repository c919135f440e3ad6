#pragma once
// An Aave account as the evaluator's linear form in prices: collateral balances times their
// liquidation thresholds, and debts, in whole tokens at `timestamp`. Floating point, for ranking.
#include <cstdint>
#include <vector>

#include "protocols/aave_v3/market.hpp"
#include "strategy/evaluator/risk_book.hpp"

namespace protocols::aave_v3 {

[[nodiscard]] std::vector<strategy::Weight> account_weights(const aave_v3::Market& market,
                                                            const aave_v3::Account& account,
                                                            std::uint64_t timestamp);

// The prices the Pool uses for an account in eMode `emode`, indexed by reserve id, as doubles.
[[nodiscard]] std::vector<double> price_vector(const aave_v3::Market& market, std::uint8_t emode);

}  // namespace protocols::aave_v3
