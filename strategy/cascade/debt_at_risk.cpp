#include "strategy/cascade/debt_at_risk.hpp"

#include <algorithm>
#include <vector>

namespace strategy::cascade {
namespace {

// The debt value of an account at `prices`.
double debt_of(std::span<const Weight> weights, std::span<const double> prices) {
  double debt = 0;
  for (const auto& w : weights)
    if (w.is_debt && w.asset < prices.size()) debt += w.amount * prices[w.asset];
  return debt;
}

// The move at which the cumulated debt of `moves` (closest to 0 first) reaches `needed`.
std::optional<double> crossing(std::vector<std::pair<double, double>>& moves, double needed,
                               bool falling) {
  std::sort(moves.begin(), moves.end(), [falling](const auto& a, const auto& b) {
    return falling ? a.first > b.first : a.first < b.first;
  });
  double sum = 0;
  for (const auto& [move, debt] : moves) {
    sum += debt;
    if (sum >= needed) return move;
  }
  return std::nullopt;
}

}  // namespace

DebtShareMove move_for_debt_share(const RiskBook& book, AssetId asset,
                                  std::span<const double> prices, double share) {
  DebtShareMove out;
  if (asset >= prices.size() || !(prices[asset] > 0) || !(share > 0)) return out;
  std::vector<std::pair<double, double>> falls;  // (move, debt) of accounts a fall liquidates
  std::vector<std::pair<double, double>> rises;
  const double price = prices[asset];
  for (std::size_t i = 0; i < book.account_slots(); ++i) {
    const auto weights = book.weights(static_cast<AccountId>(i));
    const double debt = debt_of(weights, prices);
    if (!(debt > 0)) continue;
    out.debt_total += debt;
    if (book.health(static_cast<AccountId>(i), prices) < 1.0) {
      out.debt_at_risk += debt;
      continue;
    }
    const auto t = liquidation_trigger(weights, asset, prices);
    if (!t.valid) continue;
    const double move = t.trigger.price / price - 1.0;
    (t.trigger.on_fall ? falls : rises).emplace_back(move, debt);
  }
  const double needed = share * out.debt_total - out.debt_at_risk;
  if (out.debt_total <= 0) return out;
  if (needed <= 0) {
    out.fall = 0.0;
    out.rise = 0.0;
    return out;
  }
  out.fall = crossing(falls, needed, true);
  out.rise = crossing(rises, needed, false);
  if (out.fall && *out.fall <= -1.0) out.fall.reset();
  return out;
}

}  // namespace strategy::cascade
