#include "strategy/liquidation_strategy.hpp"

#include <algorithm>

#include "strategy/aave_v3/wad_ray_math.hpp"

namespace strategy {

std::set<chain::Address> AaveLiquidationStrategy::resolve(const std::vector<std::string>& names,
                                                          const aave_v3::Market& m) const {
  std::set<chain::Address> out;
  for (const auto& n : names) {
    if (auto a = chain::Address::from_hex(n)) {
      out.insert(*a);
      continue;
    }
    for (const auto& r : m.reserves)
      if (r.symbol == n) out.insert(r.asset);
  }
  return out;
}

void AaveLiquidationStrategy::sync_state(const MarketView& view) {
  const auto& m = *view.market;
  limits_.allow_assets = resolve(config_.allow_assets, m);
  limits_.deny_assets = resolve(config_.deny_assets, m);
  limits_.max_debt_to_cover_base =
      chain::u256{static_cast<std::uint64_t>(config_.max_debt_to_cover_usd)} * m.base_currency_unit;
  // Gas at the fee cap, valued at the market's WETH price (the base currency is USD on Aave V3).
  chain::u256 eth_price = 0;
  for (const auto& r : m.reserves)
    if (r.symbol == "WETH") eth_price = r.price;
  limits_.gas_cost_base = chain::u256{config_.gas_per_liquidation} * config_.max_fee_per_gas_wei *
                          eth_price / chain::u256{1'000'000'000'000'000'000ULL};
}

std::vector<Action> AaveLiquidationStrategy::process_event(const Event& event) {
  const auto& view = std::get<NewBlock>(event).view;
  sync_state(view);
  const auto& m = *view.market;
  std::vector<LiquidateAction> found;
  const auto consider = [&](const chain::Address& address, const aave_v3::Account& account) {
    auto data = aave_v3::account_data(m, account, view.timestamp);
    if (!data || data->health_factor >= aave_v3::kWad) return;
    auto best = aave_v3::best_liquidation(m, address, account, view.timestamp, limits_);
    if (!best) return;
    const double profit_usd =
        chain::to_double(best->profit_base < 0 ? chain::u256{0}
                                               : static_cast<chain::u256>(best->profit_base)) /
        chain::to_double(m.base_currency_unit);
    if (best->profit_base <= 0 || profit_usd < config_.min_profit_usd) return;
    found.push_back({*best, m.reserves[best->collateral].asset, m.reserves[best->debt].asset,
                     config_.receive_a_token, profit_usd});
  };
  if (view.candidates != nullptr) {
    for (const auto& address : *view.candidates)
      if (const auto it = view.accounts->find(address); it != view.accounts->end())
        consider(address, it->second);
  } else {
    for (const auto& [address, account] : *view.accounts) consider(address, account);
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.profit_usd > b.profit_usd; });
  return {found.begin(), found.end()};
}

}  // namespace strategy
