#include "strategy/flash_plan.hpp"

#include "dex/best_amount.hpp"

namespace strategy {
namespace {

// The size search stops at this fraction of the largest debt to cover: near its peak the profit
// curve is flat, and each step costs a liquidation evaluation and a swap quote.
constexpr std::uint64_t kResolutionParts = 10'000;

}  // namespace

std::string_view to_string(FlashRefusal r) noexcept {
  switch (r) {
    case FlashRefusal::no_flash_loan: return "no_flash_loan";
    case FlashRefusal::no_seizure: return "no_seizure";
    case FlashRefusal::no_route: return "no_swap_route";
    case FlashRefusal::unprofitable: return "swap_unprofitable";
  }
  return "unknown";
}

chain::u256 flash_premium(const chain::u256& amount, std::uint32_t bps) {
  return (amount * bps + 5'000) / 10'000;
}

tl::expected<FlashPlan, FlashRefusal> plan_flash(const LendingProtocol& protocol,
                                                 const SwapVenue& venue, const Opportunity& o,
                                                 std::uint64_t timestamp,
                                                 std::span<const PriceMove> moves) {
  const auto bps = protocol.flash_loan_premium_bps();
  if (!bps) return tl::unexpected(FlashRefusal::no_flash_loan);
  const auto seize = protocol.seizure_curve(o, timestamp, moves);
  if (!seize) return tl::unexpected(FlashRefusal::no_seizure);
  // The route is chosen for the largest sale and kept while sizing (quoting one path is cheap);
  // the chosen size gets the best route again.
  const auto widest = venue.best_route(o.collateral_asset, o.debt_asset, o.collateral_seized);
  if (!widest) return tl::unexpected(FlashRefusal::no_route);
  const auto profit_at = [&](const chain::u256& debt) -> std::optional<chain::i256> {
    const auto s = seize(debt);
    if (!s) return std::nullopt;
    const auto out = venue.quote(widest->legs, s->collateral_seized);
    if (!out) return std::nullopt;
    return chain::i256{*out} - chain::i256{s->debt_repaid} - chain::i256{flash_premium(debt, *bps)};
  };
  const auto best =
      dex::maximise_unimodal(profit_at, 1, o.debt_to_cover, o.debt_to_cover / kResolutionParts);
  if (!best || best->profit <= 0) return tl::unexpected(FlashRefusal::unprofitable);
  const auto seized = seize(best->input);
  if (!seized) return tl::unexpected(FlashRefusal::no_seizure);
  auto route = venue.best_route(o.collateral_asset, o.debt_asset, seized->collateral_seized);
  if (!route) return tl::unexpected(FlashRefusal::no_route);
  const auto premium = flash_premium(best->input, *bps);
  const chain::i256 profit =
      chain::i256{route->amount_out} - chain::i256{seized->debt_repaid} - chain::i256{premium};
  if (profit <= 0) return tl::unexpected(FlashRefusal::unprofitable);
  FlashPlan plan;
  plan.opportunity = o;
  plan.opportunity.debt_to_cover = best->input;
  plan.opportunity.debt_repaid = seized->debt_repaid;
  plan.opportunity.collateral_seized = seized->collateral_seized;
  plan.route = std::move(*route);
  plan.premium = premium;
  plan.profit = static_cast<chain::u256>(profit);
  plan.evaluations = best->evaluations;
  return plan;
}

}  // namespace strategy
