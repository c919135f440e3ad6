#include "protocols/aave_v3/liquidation_prices.hpp"

#include "protocols/aave_v3/account_weights.hpp"
#include "strategy/evaluator/trigger_index.hpp"

namespace protocols::aave_v3 {

std::vector<LiquidationPrice> liquidation_prices(const aave_v3::Market& m,
                                                 const aave_v3::Account& a,
                                                 std::uint64_t timestamp) {
  const auto weights = account_weights(m, a, timestamp);
  const auto prices = price_vector(m, a.emode);
  std::vector<LiquidationPrice> out;
  for (const auto& p : a.positions) {
    const auto t = liquidation_trigger(weights, p.reserve, prices);
    if (t.valid) out.push_back({p.reserve, t.trigger.price});
  }
  return out;
}

}  // namespace protocols::aave_v3
