#include "keeper/daemon/price_tick.hpp"

#include <algorithm>

namespace keeper::daemon {

std::optional<TickPlan> plan_tick(const strategy::aave_v3::Market& current,
                                  const strategy::Watchlist& watchlist,
                                  std::span<const chain::Address> band,
                                  std::span<const std::uint16_t> reserves,
                                  const chain::u256& answer) {
  TickPlan plan{current, {band.begin(), band.end()}};
  bool moved = false;
  for (const auto id : reserves) {
    if (id >= plan.market.reserves.size()) continue;
    auto& reserve = plan.market.reserves[id];
    if (reserve.price == answer) continue;
    const auto crossed =
        watchlist.crossed(id, chain::to_double(reserve.price), chain::to_double(answer));
    plan.candidates.insert(plan.candidates.end(), crossed.begin(), crossed.end());
    reserve.price = answer;
    moved = true;
  }
  if (!moved) return std::nullopt;
  std::sort(plan.candidates.begin(), plan.candidates.end());
  plan.candidates.erase(std::unique(plan.candidates.begin(), plan.candidates.end()),
                        plan.candidates.end());
  return plan;
}

}  // namespace keeper::daemon
