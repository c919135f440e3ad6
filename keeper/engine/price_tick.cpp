#include "keeper/engine/price_tick.hpp"

#include <algorithm>

namespace keeper::engine {

TickPlan plan_tick(const strategy::LendingProtocol& protocol, const strategy::Watchlist& watchlist,
                   std::span<const chain::Address> band, std::vector<strategy::PriceMove> moves) {
  TickPlan plan{std::move(moves), {band.begin(), band.end()}};
  for (const auto& move : plan.moves) {
    const auto crossed = watchlist.crossed(
        move.asset, chain::to_double(protocol.price_of(move.asset)), chain::to_double(move.price));
    plan.candidates.insert(plan.candidates.end(), crossed.begin(), crossed.end());
  }
  std::sort(plan.candidates.begin(), plan.candidates.end());
  plan.candidates.erase(std::unique(plan.candidates.begin(), plan.candidates.end()),
                        plan.candidates.end());
  return plan;
}

}  // namespace keeper::engine
