#pragma once
// Sizing a capital-free liquidation: the debt asset is borrowed for the transaction (a flash loan
// with a premium), the seized collateral sold on a swap venue, the loan repaid. Profit is what the
// sale gives less what the protocol takes and the premium, all in the debt asset. With deep price
// impact the most profitable debt to cover can be less than the protocol allows: the size is
// searched, not assumed.
#include <cstdint>
#include <span>
#include <string_view>

#include <tl/expected.hpp>

#include "strategy/lending_protocol.hpp"
#include "strategy/swap_venue.hpp"

namespace strategy {

struct FlashPlan {
  Opportunity opportunity;        // resized: debt_to_cover, debt_repaid and collateral_seized
  SwapRoute route;                // sells exactly opportunity.collateral_seized
  chain::u256 premium;            // of the debt asset, on the whole loan (debt_to_cover)
  chain::u256 profit;             // of the debt asset: route.amount_out − debt_repaid − premium
  std::uint32_t evaluations = 0;  // quotes the sizing took
};

enum class FlashRefusal {
  no_flash_loan,  // the protocol lends none keeper's contract can use
  no_seizure,     // the protocol cannot size this pair
  no_route,       // no pool path from the collateral to the debt asset takes the seizure
  unprofitable,   // the sale gives less than the loan costs, at every size
};
[[nodiscard]] std::string_view to_string(FlashRefusal r) noexcept;

// The premium a flash loan of `amount` costs at `bps`, rounded as Aave's PercentageMath.percentMul
// (half up): the figure the Pool charges, to the wei.
[[nodiscard]] chain::u256 flash_premium(const chain::u256& amount, std::uint32_t bps);

// The most profitable flash liquidation of `o`'s pair for a debt to cover up to o.debt_to_cover,
// sold on `venue` in its current state (with the sales assumed so far).
[[nodiscard]] tl::expected<FlashPlan, FlashRefusal> plan_flash(const LendingProtocol& protocol,
                                                               const SwapVenue& venue,
                                                               const Opportunity& o,
                                                               std::uint64_t timestamp,
                                                               std::span<const PriceMove> moves);

}  // namespace strategy
