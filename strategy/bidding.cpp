#include "strategy/bidding.hpp"

#include <algorithm>

namespace strategy {
namespace {

using chain::i256;
using chain::u256;

const u256 kWei{1'000'000'000'000'000'000ULL};  // wei per native token

// Base currency units that `gas` units cost at `fee_per_gas` wei.
u256 gas_cost_base(std::uint64_t gas, const u256& fee_per_gas, const u256& native_price_base) {
  return static_cast<u256>(chain::u512{gas} * fee_per_gas * native_price_base / kWei);
}

// The highest fee per gas at which `budget_base` still pays for `gas`.
u256 fee_per_gas_within(const u256& budget_base, std::uint64_t gas, const u256& native_price_base) {
  return static_cast<u256>(chain::u512{budget_base} * kWei / native_price_base / gas);
}

}  // namespace

std::string_view to_string(BidRefusal r) noexcept {
  switch (r) {
    case BidRefusal::no_native_price: return "no_native_price";
    case BidRefusal::unprofitable: return "unprofitable";
    case BidRefusal::below_min_profit: return "below_min_profit";
    case BidRefusal::fee_cap: return "fee_cap";
    case BidRefusal::outbid: return "outbid";
  }
  return "unknown";
}

tl::expected<Bid, BidRefusal> place_bid(const BidRequest& request, const FeeContext& fees,
                                        const BidPolicy& policy) {
  if (fees.native_price_base == 0) return tl::unexpected(BidRefusal::no_native_price);
  const std::uint64_t gas = std::max<std::uint64_t>(request.gas_used, 1);
  const u256& base = fees.next_base_fee_wei;
  if (base > policy.max_fee_per_gas_wei) return tl::unexpected(BidRefusal::fee_cap);
  // Everything the liquidation can pay per gas, and what it can pay while keeping the floor.
  const u256 break_even =
      fee_per_gas_within(request.gross_profit_base, gas, fees.native_price_base);
  if (break_even <= base) return tl::unexpected(BidRefusal::unprofitable);
  if (request.gross_profit_base <= policy.min_net_profit_base)
    return tl::unexpected(BidRefusal::below_min_profit);
  const u256 keep_floor = fee_per_gas_within(request.gross_profit_base - policy.min_net_profit_base,
                                             gas, fees.native_price_base);
  if (keep_floor <= base) return tl::unexpected(BidRefusal::below_min_profit);
  const u256 affordable_tip = std::min(keep_floor - base, policy.max_priority_fee_wei);

  u256 tip = (break_even - base) * policy.bid_share_ppm / 1'000'000;
  if (request.competitor_tip_wei) {
    // Builders order by tip: one wei above the competitor wins the tie-break on price.
    const u256 beat = *request.competitor_tip_wei + 1;
    if (beat > affordable_tip) return tl::unexpected(BidRefusal::outbid);
    tip = std::max(tip, beat);
  }
  tip = std::min(tip, affordable_tip);
  // Room for the base fee to rise for a block or two (12.5% each) without being priced out.
  const u256 max_fee = std::min(base * 2 + tip, policy.max_fee_per_gas_wei);
  if (max_fee < base + tip) tip = max_fee - base;
  if (request.competitor_tip_wei && tip <= *request.competitor_tip_wei)
    return tl::unexpected(BidRefusal::outbid);
  Bid bid;
  bid.max_affordable_tip = std::min(affordable_tip, policy.max_fee_per_gas_wei - base);
  bid.max_fee_per_gas = max_fee;
  bid.max_priority_fee_per_gas = tip;
  bid.expected_fee_per_gas = base + tip;
  bid.net_profit_base = static_cast<i256>(request.gross_profit_base) -
                        static_cast<i256>(gas_cost_base(gas, base + tip, fees.native_price_base));
  return bid;
}

}  // namespace strategy
