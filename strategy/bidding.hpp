#pragma once
// What keeper offers the block builder for one liquidation: a tip that is a share of the profit per
// gas left over the base fee, raised above a competitor's when the profit allows, never letting
// the net profit fall under the floor. Gas is valued at the fee expected to be paid (next base fee
// plus tip); the fee cap is only a guard. Protocol-neutral: every amount is in the market's base
// currency units (Aave V3: USD with 8 decimals) or in wei.
#include <cstdint>
#include <optional>
#include <string_view>

#include <tl/expected.hpp>

#include "chain/uint256.hpp"

namespace strategy {

// The fee market as of the head keeper acts on, known without a round trip.
struct FeeContext {
  chain::u256 next_base_fee_wei;
  // Price of one native token (1e18 wei) in base currency units; zero when unknown.
  chain::u256 native_price_base;
};

struct BidPolicy {
  std::uint32_t bid_share_ppm = 500'000;  // share of the profit per gas above the base fee
  chain::u256 max_priority_fee_wei;       // the highest tip keeper ever offers
  chain::u256 max_fee_per_gas_wei;        // guard: never sign a fee cap above it
  chain::u256 min_net_profit_base;        // what must remain after gas at the expected fee
};

struct Bid {
  chain::u256 max_fee_per_gas;
  chain::u256 max_priority_fee_per_gas;
  chain::u256 expected_fee_per_gas;  // next base fee + tip
  chain::i256 net_profit_base;       // gross − gas_used × expected fee, in base units
  // The highest tip this liquidation can ever pay within the caps and the profit floor: how far
  // keeper may go when a competitor outbids it later.
  chain::u256 max_affordable_tip;
};

enum class BidRefusal {
  no_native_price,   // gas cannot be valued
  unprofitable,      // the profit per gas does not cover the base fee
  below_min_profit,  // covers the base fee, not the floor
  fee_cap,           // the next base fee plus any tip is above the fee cap
  outbid,            // a competitor bids more than the profit allows
};
[[nodiscard]] std::string_view to_string(BidRefusal r) noexcept;

struct BidRequest {
  chain::u256 gross_profit_base;  // what the liquidation earns before gas
  std::uint64_t gas_used = 0;     // expected gas used (the gas model's figure)
  // A competing attempt's tip seen in the mempool: keeper must beat it or stay out.
  std::optional<chain::u256> competitor_tip_wei;
};

[[nodiscard]] tl::expected<Bid, BidRefusal> place_bid(const BidRequest& request,
                                                      const FeeContext& fees,
                                                      const BidPolicy& policy);

}  // namespace strategy
