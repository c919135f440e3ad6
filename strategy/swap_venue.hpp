#pragma once
// Where a capital-free liquidation sells what it seizes: the best route for an exact input, quoted
// from state held in memory (no RPC on the path to the wire). Protocol- and DEX-neutral: Uniswap V3
// pools are one implementation (keeper/market/pool_book.hpp), a test's fixed prices another.
//
// Sales keeper has decided but not yet seen land move the pools it will meet on chain: a venue
// remembers them (assume_sold) so the next quote in the same decision is taken after them. A sale
// decided but then not sent (skipped, refused, a standby follower's) is retracted: left assumed,
// it would make every later quote of the block start from pools it never moved.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "chain/address.hpp"
#include "chain/uint256.hpp"

namespace strategy {

struct SwapLeg {
  chain::Address pool;
  chain::Address token_in;
  chain::Address token_out;
  std::uint32_t fee = 0;  // the pool's fee tier in hundredths of a basis point (3000 = 0.3%)
  friend bool operator==(const SwapLeg&, const SwapLeg&) = default;
};

struct SwapRoute {
  std::vector<SwapLeg> legs;  // in the order tokens flow
  chain::u256 amount_in;
  chain::u256 amount_out;  // exactly what the pools would give, in their current state
  friend bool operator==(const SwapRoute&, const SwapRoute&) = default;
};

class SwapVenue {
 public:
  SwapVenue() = default;
  SwapVenue(const SwapVenue&) = delete;
  SwapVenue& operator=(const SwapVenue&) = delete;
  virtual ~SwapVenue() = default;

  // The route that gives the most `token_out` for exactly `amount_in` of `token_in`, after the
  // sales assumed so far; nullopt when no route can take it.
  [[nodiscard]] virtual std::optional<SwapRoute> best_route(const chain::Address& token_in,
                                                            const chain::Address& token_out,
                                                            const chain::u256& amount_in) const = 0;
  // What exactly `amount_in` gives along `legs` (a route best_route returned), after the sales
  // assumed so far; nullopt when the pools cannot take it.
  [[nodiscard]] virtual std::optional<chain::u256> quote(std::span<const SwapLeg> legs,
                                                         const chain::u256& amount_in) const = 0;
  // A sale keeper is about to make: later quotes see the pools as it leaves them.
  virtual void assume_sold(const SwapRoute& route) = 0;
  // Sales assumed but not sent after all: later quotes see the pools as if they had never been
  // assumed (the sales assumed after them are taken again, in order, on what is left).
  virtual void retract_sold(std::span<const SwapRoute> routes) = 0;
  // The chain caught up (a new head's state): assumed sales are either in it or not coming.
  virtual void forget_assumed() = 0;

 protected:
  // An implementation may be moved whole (built by a factory function), never sliced.
  SwapVenue(SwapVenue&&) = default;
  SwapVenue& operator=(SwapVenue&&) = default;
};

}  // namespace strategy
