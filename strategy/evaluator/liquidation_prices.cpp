#include "strategy/evaluator/liquidation_prices.hpp"

#include "strategy/aave_v3/account_data.hpp"
#include "strategy/evaluator/trigger_index.hpp"

namespace strategy {
namespace {

double pow10d(unsigned n) {
  double v = 1;
  for (unsigned i = 0; i < n; ++i) v *= 10;
  return v;
}

}  // namespace

std::vector<LiquidationPrice> liquidation_prices(const aave_v3::Market& m,
                                                 const aave_v3::Account& a,
                                                 std::uint64_t timestamp) {
  std::vector<Weight> weights;
  std::vector<double> prices(m.reserves.size());
  for (const auto& r : m.reserves)
    prices[r.id] = chain::to_double(aave_v3::effective_price(m, r, a.emode));
  const auto* emode = a.emode != 0 && m.emodes.count(a.emode) ? &m.emodes.at(a.emode) : nullptr;
  for (const auto& p : a.positions) {
    const auto& r = m.reserves[p.reserve];
    const double unit = pow10d(r.config.decimals);
    if (a.config.using_as_collateral(r.id) && r.config.liquidation_threshold != 0) {
      const double lt =
          (emode && r.config.emode_category == a.emode ? emode->liquidation_threshold
                                                       : r.config.liquidation_threshold) /
          1e4;
      const double balance =
          chain::to_double(aave_v3::a_token_balance(r, p, timestamp).value_or(0));
      weights.push_back({r.id, false, balance * lt / unit});
    }
    if (a.config.borrowing(r.id)) {
      const double debt =
          chain::to_double(aave_v3::variable_debt_balance(r, p, timestamp).value_or(0)) +
          chain::to_double(aave_v3::stable_debt_balance(p, timestamp).value_or(0));
      weights.push_back({r.id, true, debt / unit});
    }
  }
  std::vector<LiquidationPrice> out;
  for (const auto& p : a.positions) {
    const auto t = liquidation_trigger(weights, p.reserve, prices);
    if (t.valid) out.push_back({p.reserve, t.trigger.price});
  }
  return out;
}

}  // namespace strategy
