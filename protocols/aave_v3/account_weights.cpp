#include "protocols/aave_v3/account_weights.hpp"

#include "protocols/aave_v3/account_data.hpp"

namespace protocols::aave_v3 {
namespace {

double pow10d(unsigned n) {
  double v = 1;
  for (unsigned i = 0; i < n; ++i) v *= 10;
  return v;
}

}  // namespace

std::vector<strategy::Weight> account_weights(const aave_v3::Market& m, const aave_v3::Account& a,
                                              std::uint64_t timestamp) {
  std::vector<strategy::Weight> weights;
  const auto* emode = a.emode != 0 && m.emodes.count(a.emode) ? &m.emodes.at(a.emode) : nullptr;
  for (const auto& p : a.positions) {
    if (p.reserve >= m.reserves.size()) continue;
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
  return weights;
}

std::vector<double> price_vector(const aave_v3::Market& m, std::uint8_t emode) {
  std::vector<double> prices(m.reserves.size());
  for (const auto& r : m.reserves)
    prices[r.id] = chain::to_double(aave_v3::effective_price(m, r, emode));
  return prices;
}

}  // namespace protocols::aave_v3
