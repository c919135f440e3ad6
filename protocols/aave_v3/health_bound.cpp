#include "protocols/aave_v3/health_bound.hpp"

#include <limits>

#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"

namespace protocols::aave_v3 {

void linear_health_bound(const Market& m, const Account& account, std::uint64_t timestamp,
                         strategy::cascade::HealthBound& out) {
  // account_data computes, per reserve, in_base = floor(balance * price / unit), then
  //   TC = sum of collateral in_base,  avgLT = floor(sum(in_base * LT) / TC),
  //   N = percentMul(TC, avgLT),  D = sum of debt in_base,  HF = wadDiv(N, D),
  // and HF >= 1 whenever N >= D. Against the account: every floor of in_base costs at most 1
  // (LT/1e4 once weighted), percentMul at most 0.5, and the floor of avgLT at most 1 basis point
  // of TC, which only happens with two collateral reserves or more (with one, in_base * LT /
  // in_base is exact). So, with m = 1 for several collaterals and 0 for one,
  //   N >= sum((LT_i - m) / 1e4 * balance_i / unit_i * p_i) - sum(LT_i) / 1e4 - 0.5,
  //   D <= sum(debt_j / unit_j * p_j). The
  // doubles (to_double of balances and prices, a short dot product) are off by far less than
  // 1e-12 of the terms, which the coefficients give away too. A relative margin on the health
  // factor alone would not do: the avgLT floor moves a two-collateral account's health by up to
  // 1/avgLT (1.3e-4 at 78%).
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kLess = 1.0 - 1e-12;
  constexpr double kMore = 1.0 + 1e-12;
  out.terms.clear();
  out.slack = kInf;
  const EModeCategory* emode = nullptr;
  if (account.emode != 0) {
    const auto it = m.emodes.find(account.emode);
    if (it != m.emodes.end()) {
      // Its own price source: the oracle's prices alone do not value the account.
      if (!it->second.price_source.is_zero() || it->second.price != 0) return;
      emode = &it->second;
    }
  }
  std::size_t collaterals = 0;
  for (const Position& p : account.positions)
    if (p.reserve < m.reserves.size() && account.config.using_as_collateral(p.reserve) &&
        m.reserves[p.reserve].config.liquidation_threshold != 0 && p.scaled_a_token != 0)
      ++collaterals;
  const double floor_lt = collaterals > 1 ? 1.0 : 0.0;
  double slack = 0.5 + 1.0;  // percentMul, and one unit against the doubles
  bool owes = false;
  for (const Position& p : account.positions) {
    if (p.reserve >= m.reserves.size()) continue;
    const Reserve& r = m.reserves[p.reserve];
    const double unit = chain::to_double(pow10(r.config.decimals));
    if (account.config.using_as_collateral(r.id) && r.config.liquidation_threshold != 0) {
      const auto balance = a_token_balance(r, p, timestamp);
      if (!balance) return;  // overflow: the exact evaluation says what the Pool would
      const bool in_emode = emode != nullptr && account.emode == r.config.emode_category;
      const double lt = static_cast<double>(in_emode ? emode->liquidation_threshold
                                                     : r.config.liquidation_threshold);
      if (*balance != 0)
        out.terms.push_back(
            {r.id, chain::to_double(*balance) / unit * (lt - floor_lt) / 1e4 * kLess});
      slack += lt / 1e4;
    }
    if (account.config.borrowing(r.id)) {
      const auto variable = variable_debt_balance(r, p, timestamp);
      const auto stable = stable_debt_balance(p, timestamp);
      if (!variable || !stable) {
        out.terms.clear();
        return;
      }
      const double debt = chain::to_double(*variable) + chain::to_double(*stable);
      if (debt != 0) {
        out.terms.push_back({r.id, -debt / unit * kMore});
        owes = true;
      }
    }
  }
  if (!owes) {
    // No debt: account_data's health factor is the maximum.
    out.terms.clear();
    out.slack = -kInf;
    return;
  }
  out.slack = slack;
}

}  // namespace protocols::aave_v3
