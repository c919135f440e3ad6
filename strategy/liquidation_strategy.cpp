#include "strategy/liquidation_strategy.hpp"

#include <algorithm>
#include <cmath>

#include "strategy/aave_v3/wad_ray_math.hpp"

namespace strategy {
namespace {

double in_usd(const chain::u256& base, const aave_v3::Market& m) {
  return chain::to_double(base) / chain::to_double(m.base_currency_unit);
}

double in_usd(const chain::i256& base, const aave_v3::Market& m) {
  return base < 0 ? -in_usd(static_cast<chain::u256>(-base), m)
                  : in_usd(static_cast<chain::u256>(base), m);
}

std::string gas_kind(const chain::Address& collateral, const chain::Address& debt) {
  return collateral.checksummed() + ":" + debt.checksummed();
}

}  // namespace

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

chain::u256 AaveLiquidationStrategy::native_price(const aave_v3::Market& m) const {
  for (const auto& r : m.reserves)
    if (config_.native_asset ? r.asset == *config_.native_asset : r.symbol == "WETH")
      return r.price;
  return 0;
}

void AaveLiquidationStrategy::sync_state(const MarketView& view) {
  const auto& m = *view.market;
  limits_.allow_assets = resolve(config_.allow_assets, m);
  limits_.deny_assets = resolve(config_.deny_assets, m);
  limits_.max_debt_to_cover_base =
      chain::u256{static_cast<std::uint64_t>(config_.max_debt_to_cover_usd)} * m.base_currency_unit;
  // Pairs are ranked by what they earn before gas: gas is the same whichever pair is taken, and
  // the bid prices it afterwards at the fee actually expected.
  limits_.gas_cost_base = 0;
  limits_.max_debt_amount.clear();
  if (view.inventory != nullptr) limits_.max_debt_amount = *view.inventory;
  policy_.bid_share_ppm =
      static_cast<std::uint32_t>(std::lround(std::clamp(config_.bid_share, 0.0, 1.0) * 1e6));
  policy_.max_priority_fee_wei = config_.max_priority_fee_per_gas_wei;
  policy_.max_fee_per_gas_wei = config_.max_fee_per_gas_wei;
  policy_.min_net_profit_base = static_cast<chain::u256>(std::max(0.0, config_.min_profit_usd) *
                                                         chain::to_double(m.base_currency_unit));
}

std::optional<Action> AaveLiquidationStrategy::consider(const MarketView& view,
                                                        const chain::Address& who,
                                                        const aave_v3::Account& account) const {
  const auto& m = *view.market;
  auto data = aave_v3::account_data(m, account, view.timestamp);
  if (!data || data->health_factor >= aave_v3::kWad) return std::nullopt;
  auto best = aave_v3::best_liquidation(m, who, account, view.timestamp, limits_);
  if (!best) {
    // Bad debt (nothing left to seize) is the common case once others have liquidated.
    const bool has_collateral = std::any_of(
        account.positions.begin(), account.positions.end(), [&](const aave_v3::Position& p) {
          return p.scaled_a_token != 0 && account.config.using_as_collateral(p.reserve);
        });
    return SkipAction{who, has_collateral ? "no_allowed_pair" : "no_collateral", 0};
  }
  if (best->profit_base <= 0) return SkipAction{who, "no_bonus", 0};
  const auto gross = static_cast<chain::u256>(best->profit_base);
  const auto& collateral = m.reserves[best->collateral].asset;
  const auto& debt = m.reserves[best->debt].asset;
  const GasModel& gas = view.gas != nullptr ? *view.gas : default_gas_;
  BidRequest request{gross, gas.expected(gas_kind(collateral, debt)), std::nullopt};
  if (view.competitor_tips != nullptr)
    if (const auto it = view.competitor_tips->find(who); it != view.competitor_tips->end())
      request.competitor_tip_wei = it->second;
  FeeContext fees = view.fees != nullptr ? *view.fees : FeeContext{};
  fees.native_price_base = native_price(m);
  auto bid = place_bid(request, fees, policy_);
  if (!bid) return SkipAction{who, std::string{to_string(bid.error())}, in_usd(gross, m)};
  LiquidateAction action{*best,
                         collateral,
                         debt,
                         config_.receive_a_token,
                         in_usd(bid->net_profit_base, m),
                         *bid,
                         gas_kind(collateral, debt),
                         gas.limit(gas_kind(collateral, debt))};
  action.opportunity.profit_base = bid->net_profit_base;
  return action;
}

std::vector<Action> AaveLiquidationStrategy::process_event(const Event& event) {
  const auto& view = std::get<NewBlock>(event).view;
  sync_state(view);
  std::vector<LiquidateAction> found;
  std::vector<Action> skipped;
  const auto visit = [&](const chain::Address& who, const aave_v3::Account& account) {
    auto result = consider(view, who, account);
    if (!result) return;
    if (auto* a = std::get_if<LiquidateAction>(&*result))
      found.push_back(std::move(*a));
    else
      skipped.push_back(std::move(*result));
  };
  if (view.candidates != nullptr) {
    for (const auto& address : *view.candidates)
      if (const auto it = view.accounts->find(address); it != view.accounts->end())
        visit(address, it->second);
  } else {
    for (const auto& [address, account] : *view.accounts) visit(address, account);
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.profit_usd > b.profit_usd; });
  std::vector<Action> out;
  out.reserve(found.size() + skipped.size());
  for (auto& a : found) out.emplace_back(std::move(a));
  for (auto& s : skipped) out.push_back(std::move(s));
  return out;
}

}  // namespace strategy
