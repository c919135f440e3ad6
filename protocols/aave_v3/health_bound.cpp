#include "protocols/aave_v3/health_bound.hpp"

#include <array>
#include <limits>
#include <optional>

#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"

namespace protocols::aave_v3 {
namespace {

// rayMul(a, b) = floor((a * b + RAY / 2) / RAY) lies within half a unit of a * b / RAY: that,
// moved by `shift` (-0.5 for a lower bound, +0.5 for an upper one), in doubles, whose own error
// (a few 1e-16 of it) the caller's relative margin covers. Nothing where rayMul may overflow. A
// bound needs no exact balance: this is a few multiplications where rayMul's is a 256-bit
// product and two long divisions.
std::optional<double> ray_mul_bound(const u256& a, const u256& b, double shift) {
  constexpr double kRayDouble = 1e27;
  constexpr double kMayOverflow = 1e77;  // under 2^256 (1.16e77), with room for the doubles
  const double product = chain::to_double(a) * chain::to_double(b);
  if (!(product < kMayOverflow)) return std::nullopt;
  return product / kRayDouble + shift;
}

// 10^decimals as a double: the same as converting pow10's, without a u256 per position.
double unit_of(std::uint32_t decimals) {
  static const std::array<double, 78> table = [] {
    std::array<double, 78> out{};
    for (std::uint32_t d = 0; d < out.size(); ++d) out[d] = chain::to_double(pow10(d));
    return out;
  }();
  return decimals < table.size() ? table[decimals] : chain::to_double(pow10(decimals));
}

}  // namespace

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
  // balances are bounded from their scaled amounts without rayMul's rounding (ray_mul_bound),
  // and the doubles (of scaled amounts, indexes and prices, a short dot product) are off by far
  // less than 1e-12 of the terms, which the coefficients give away too. A relative margin on the
  // health factor alone would not do: the avgLT floor moves a two-collateral account's health by up
  // to 1/avgLT (1.3e-4 at 78%).
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
    const double unit = unit_of(r.config.decimals);
    if (account.config.using_as_collateral(r.id) && r.config.liquidation_threshold != 0) {
      const auto income = normalized_income(r, timestamp);
      const auto balance =
          income ? ray_mul_bound(p.scaled_a_token, *income, -0.5) : std::optional<double>{};
      if (!balance) return;  // overflow: the exact evaluation says what the Pool would
      const bool in_emode = emode != nullptr && account.emode == r.config.emode_category;
      const double lt = static_cast<double>(in_emode ? emode->liquidation_threshold
                                                     : r.config.liquidation_threshold);
      if (*balance > 0)  // else counted as nothing, which a lower bound may
        out.terms.push_back({r.id, *balance / unit * (lt - floor_lt) / 1e4 * kLess});
      slack += lt / 1e4;
    }
    if (account.config.borrowing(r.id)) {
      std::optional<double> variable{0.0};
      if (p.scaled_variable_debt != 0) {  // as variable_debt_balance, which reads no index then
        const auto index = normalized_debt(r, timestamp);
        variable = index ? ray_mul_bound(p.scaled_variable_debt, *index, 0.5) : std::nullopt;
      }
      const auto stable = stable_debt_balance(p, timestamp);
      if (!variable || !stable) {
        out.terms.clear();
        return;
      }
      const double debt = *variable + chain::to_double(*stable);
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
