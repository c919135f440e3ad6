#pragma once
// What a price tick means before any block is read: the price moves, and the few accounts worth
// exact evaluation (the last head's watch band plus those whose liquidation price the tick
// crossed, found through the trigger index without visiting the others).
#include <span>
#include <vector>

#include "strategy/evaluator/watchlist.hpp"
#include "strategy/lending_protocol.hpp"

namespace keeper::engine {

struct TickPlan {
  std::vector<strategy::PriceMove> moves;
  std::vector<chain::Address> candidates;  // sorted, unique
};

[[nodiscard]] TickPlan plan_tick(const strategy::LendingProtocol& protocol,
                                 const strategy::Watchlist& watchlist,
                                 std::span<const chain::Address> band,
                                 std::vector<strategy::PriceMove> moves);

}  // namespace keeper::engine
