#pragma once
// How far one asset's price must move before a given share of the market's debt can be
// liquidated: the distance to the cliff, per asset, from every account's liquidation price of
// that asset (its rank form, every other price held). A metric, not a decision: rank forms are
// approximate, and debt is weighed at today's prices.
#include <optional>
#include <span>

#include "strategy/evaluator/risk_book.hpp"

namespace strategy::cascade {

struct DebtShareMove {
  // Relative moves (-0.23 is a 23% fall, +0.4 a 40% rise); nullopt when no move of this asset
  // alone puts that share of the debt under 1 (or, for `fall`, only a fall of 100%).
  std::optional<double> fall;
  std::optional<double> rise;
  double debt_total = 0;    // the market's debt at `prices`, in price units
  double debt_at_risk = 0;  // already liquidatable now
};

// `share` in (0, 1]: 0.1 is "10% of the market's debt".
[[nodiscard]] DebtShareMove move_for_debt_share(const RiskBook& book, AssetId asset,
                                                std::span<const double> prices, double share = 0.1);

}  // namespace strategy::cascade
