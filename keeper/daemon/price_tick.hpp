#pragma once
// What a price tick means before any block is read: the market as the new answer makes it, and the
// few accounts worth exact evaluation (the last head's watch band plus those whose liquidation
// price the tick crossed, found through the trigger index without visiting the others).
#include <optional>
#include <span>
#include <vector>

#include "strategy/aave_v3/market.hpp"
#include "strategy/evaluator/watchlist.hpp"

namespace keeper::daemon {

struct TickPlan {
  strategy::aave_v3::Market market;
  std::vector<chain::Address> candidates;  // sorted, unique
};

// nullopt when the answer changes no price of `reserves` (the ids the tick's feed prices).
[[nodiscard]] std::optional<TickPlan> plan_tick(const strategy::aave_v3::Market& current,
                                                const strategy::Watchlist& watchlist,
                                                std::span<const chain::Address> band,
                                                std::span<const std::uint16_t> reserves,
                                                const chain::u256& answer);

}  // namespace keeper::daemon
