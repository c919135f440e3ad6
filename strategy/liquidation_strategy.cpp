#include "strategy/liquidation_strategy.hpp"

#include <algorithm>
#include <cmath>

namespace strategy {
namespace {

double in_usd(const chain::u256& base, const Valuation& v) {
  return chain::to_double(base) / chain::to_double(v.base_unit);
}

double in_usd(const chain::i256& base, const Valuation& v) {
  return base < 0 ? -in_usd(static_cast<chain::u256>(-base), v)
                  : in_usd(static_cast<chain::u256>(base), v);
}

std::string gas_kind(const Opportunity& o) {
  return o.collateral_asset.checksummed() + ":" + o.debt_asset.checksummed();
}

// A flash liquidation's gas depends on its sale's pools as much as on the pair: a second pool,
// or one whose liquidity crosses more ticks, costs tens of thousands more. Keyed by the pair
// alone, the largest receipt of one route set the gas limit of another: on the devnet a Morpho
// WETH>USDC sale through WETH>WBTC>USDC (354k used) set the limit (x 1.3, 460k) that a later
// one through another two-pool route ran out of. Each route learns its own; an unseen one gets
// the default flash figure. (The same route's sizes differ too, and a receipt is net of
// refunds: GasModel::limit allows for both.)
std::string flash_gas_kind(const Opportunity& o, const SwapRoute& route) {
  std::string kind = std::string{kFlashKindPrefix} + gas_kind(o) + " via ";
  for (std::size_t i = 0; i < route.legs.size(); ++i)
    kind += (i == 0 ? "" : ">") + route.legs[i].pool.checksummed();
  return kind;
}

}  // namespace

std::set<chain::Address> LiquidationStrategy::resolve(const std::vector<std::string>& names,
                                                      const LendingProtocol& protocol) const {
  std::set<chain::Address> out;
  for (const auto& n : names) {
    if (auto a = chain::Address::from_hex(n)) {
      out.insert(*a);
    } else if (auto by_symbol = protocol.asset_by_symbol(n)) {
      out.insert(*by_symbol);
    }
  }
  return out;
}

void LiquidationStrategy::sync_state(const MarketView& view) {
  const auto& protocol = *view.protocol;
  const auto value = protocol.valuation();
  limits_.allow_assets = resolve(config_.allow_assets, protocol);
  limits_.deny_assets = resolve(config_.deny_assets, protocol);
  limits_.max_debt_to_cover_base =
      chain::u256{static_cast<std::uint64_t>(config_.max_debt_to_cover_usd)} * value.base_unit;
  limits_.max_debt_amount = view.inventory;
  policy_.bid_share_ppm =
      static_cast<std::uint32_t>(std::lround(std::clamp(config_.bid_share, 0.0, 1.0) * 1e6));
  policy_.max_priority_fee_wei = config_.max_priority_fee_per_gas_wei;
  policy_.max_fee_per_gas_wei = config_.max_fee_per_gas_wei;
  policy_.min_net_profit_base = static_cast<chain::u256>(std::max(0.0, config_.min_profit_usd) *
                                                         chain::to_double(value.base_unit));
}

std::optional<Action> LiquidationStrategy::consider(const MarketView& view, const Valuation& value,
                                                    const Assessment& assessment) const {
  using Verdict = Assessment::Verdict;
  switch (assessment.verdict) {
    case Verdict::healthy: return std::nullopt;
    case Verdict::no_collateral:
    case Verdict::no_allowed_pair:
    case Verdict::no_bonus:
      return SkipAction{assessment.account, std::string{to_string(assessment.verdict)}, 0};
    case Verdict::liquidatable: break;
  }
  if (view.busy != nullptr)
    if (auto why = (*view.busy)(assessment.account))
      return SkipAction{assessment.account, std::move(*why),
                        in_usd(assessment.best->gross_profit_base, value)};
  return config_.funding == Funding::flash ? act_on_flash(view, value, *assessment.best)
                                           : act_on(view, value, *assessment.best);
}

std::optional<chain::u256> LiquidationStrategy::competitor_tip(const MarketView& view,
                                                               const chain::Address& who) {
  if (view.competitor_tips == nullptr) return std::nullopt;
  const auto it = view.competitor_tips->find(who);
  if (it == view.competitor_tips->end()) return std::nullopt;
  return it->second;
}

Action LiquidationStrategy::act_on(const MarketView& view, const Valuation& value,
                                   const Opportunity& best) const {
  // Pairs are ranked by what they earn before gas: gas is the same whichever pair is taken, and
  // the bid prices it here at the fee actually expected.
  const GasModel& gas = view.gas != nullptr ? *view.gas : default_gas_;
  const std::string kind = gas_kind(best);
  const BidRequest request{best.gross_profit_base, gas.expected(kind),
                           competitor_tip(view, best.account)};
  FeeContext fees = view.fees != nullptr ? *view.fees : FeeContext{};
  fees.native_price_base = value.native_price_base;
  auto bid = place_bid(request, fees, policy_);
  if (!bid)
    return SkipAction{best.account, std::string{to_string(bid.error())},
                      in_usd(best.gross_profit_base, value)};
  return LiquidateAction{best,
                         config_.receive_collateral_deposit,
                         in_usd(bid->net_profit_base, value),
                         *bid,
                         kind,
                         gas.limit(kind),
                         std::nullopt};
}

Action LiquidationStrategy::act_on_flash(const MarketView& view, const Valuation& value,
                                         const Opportunity& best) const {
  const auto skip = [&](std::string_view reason) -> Action {
    return SkipAction{best.account, std::string{reason}, in_usd(best.gross_profit_base, value)};
  };
  if (view.venue == nullptr) return skip("no_swap_venue");
  const auto& protocol = *view.protocol;
  auto plan = plan_flash(protocol, *view.venue, best, view.timestamp, view.moves);
  if (!plan) return skip(to_string(plan.error()));
  const auto gross = protocol.value_in_base(best.debt_asset, plan->profit, view.moves);
  if (!gross || *gross == 0) return skip("swap_unprofitable");
  const GasModel& gas = view.gas != nullptr ? *view.gas : default_gas_;
  const std::string kind = flash_gas_kind(best, plan->route);
  const BidRequest request{*gross, gas.expected(kind), competitor_tip(view, best.account)};
  FeeContext fees = view.fees != nullptr ? *view.fees : FeeContext{};
  fees.native_price_base = value.native_price_base;
  auto bid = place_bid(request, fees, policy_);
  if (!bid) return skip(to_string(bid.error()));
  // The contract's floor, in the debt asset: the gas at the expected fee plus the configured
  // minimum profit. A sale that gives less (someone moved the pool first) reverts instead of
  // landing at a loss.
  const auto gas_cost = static_cast<chain::u256>(chain::i256{*gross} - bid->net_profit_base);
  const chain::u256 needed = gas_cost + policy_.min_net_profit_base;
  const chain::u256 min_profit =
      needed >= *gross ? plan->profit : (plan->profit * needed + *gross - 1) / *gross;
  view.venue->assume_sold(plan->route);
  FlashDetails flash{plan->route, plan->premium, plan->profit, min_profit};
  return LiquidateAction{plan->opportunity,
                         false,  // the collateral is sold in the transaction: never the deposit
                         in_usd(bid->net_profit_base, value),
                         *bid,
                         kind,
                         gas.limit(kind),
                         std::move(flash)};
}

std::vector<Action> LiquidationStrategy::process_event(const Event& event) {
  const auto& view = std::get<NewBlock>(event).view;
  sync_state(view);
  const auto& protocol = *view.protocol;
  std::vector<chain::Address> everyone;
  if (view.candidates == nullptr) {
    everyone.reserve(protocol.account_count());
    protocol.for_each_account([&](const chain::Address& a) { everyone.push_back(a); });
  }
  const auto& accounts = view.candidates != nullptr ? *view.candidates : everyone;
  const auto value = protocol.valuation();
  auto assessments = protocol.assess(accounts, view.timestamp, limits_, view.moves);
  // Most profitable first, at the oracle's prices: with flash funding each sale is quoted after
  // the ones before it, in the order they will be sent (one sender's nonces land in order).
  std::stable_sort(assessments.begin(), assessments.end(), [](const auto& a, const auto& b) {
    const chain::u256 pa = a.best ? a.best->gross_profit_base : chain::u256{0};
    const chain::u256 pb = b.best ? b.best->gross_profit_base : chain::u256{0};
    return pa > pb;
  });
  std::vector<LiquidateAction> found;
  std::vector<Action> skipped;
  for (const auto& assessment : assessments) {
    auto result = consider(view, value, assessment);
    if (!result) continue;
    if (auto* a = std::get_if<LiquidateAction>(&*result))
      found.push_back(std::move(*a));
    else
      skipped.push_back(std::move(*result));
  }
  if (config_.funding != Funding::flash)
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.profit_usd > b.profit_usd; });
  std::vector<Action> out;
  out.reserve(found.size() + skipped.size());
  for (auto& a : found) out.emplace_back(std::move(a));
  for (auto& s : skipped) out.push_back(std::move(s));
  return out;
}

}  // namespace strategy
