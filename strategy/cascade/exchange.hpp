#pragma once
// Where a cascade's liquidators sell the collateral they seized, and what the sales do to its
// price. Prices are the lending protocol's (base currency units per whole token), by AssetId.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "chain/uint256.hpp"
#include "strategy/evaluator/risk_book.hpp"

namespace strategy::cascade {

struct SaleOutcome {
  AssetId asset = 0;
  chain::u256 amount_in;            // of `asset`
  chain::u256 amount_out;           // of `proceeds` (0 when the venue is a depth curve)
  std::optional<AssetId> proceeds;  // what the sale bought, when a pool
  chain::u256 price_before;
  chain::u256 price_after;
  chain::Address venue;  // the pool sold into; zero for a depth curve or no venue
  std::string how;       // "uniswap-v3 WETH/USDC 0.05%", "depth curve 1%/1M", "no venue"
};

class Exchange {
 public:
  Exchange() = default;
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;
  virtual ~Exchange() = default;

  // A copy in the state this one is in now (a sweep starts every shock from the same pools).
  [[nodiscard]] virtual std::unique_ptr<Exchange> clone() const = 0;
  // Arbitrageurs bring every venue to the oracle's `prices` (after a shock, or when a venue's
  // other token moved).
  [[nodiscard]] virtual tl::expected<void, std::string> follow(
      std::span<const chain::u256> prices) = 0;
  // Sells `amount` of `asset`; the oracle then follows the venue: price_after is the new price.
  [[nodiscard]] virtual tl::expected<SaleOutcome, std::string> sell(
      AssetId asset, const chain::u256& amount, std::span<const chain::u256> prices) = 0;
};

}  // namespace strategy::cascade
