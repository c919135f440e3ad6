#pragma once
// Morpho Blue's events, as EventsLib.sol declares them: which market and account a log touches
// (so keeper re-reads exactly those positions), markets created, and what a liquidation did.
#include <optional>
#include <string_view>
#include <vector>

#include "chain/rpc/types.hpp"
#include "protocols/morpho_blue/market_params.hpp"

namespace protocols::morpho_blue {

enum class EventKind {
  create_market,
  supply,
  withdraw,
  borrow,
  repay,
  supply_collateral,
  withdraw_collateral,
  liquidate,
  accrue_interest,
  set_fee,
};
[[nodiscard]] std::string_view to_string(EventKind k) noexcept;

// topic0 of every event keeper follows on Morpho.
[[nodiscard]] const std::vector<chain::Hash>& followed_topics();

struct MorphoEvent {
  EventKind kind = EventKind::accrue_interest;
  MarketId market{};
  std::optional<Address> account;      // the position it changes (onBehalf, borrower)
  std::optional<MarketParams> params;  // CreateMarket
};
// nullopt: not one of the followed events, or malformed (too few topics or data).
[[nodiscard]] std::optional<MorphoEvent> decode_event(const chain::rpc::Log& log);

// Liquidate(id, caller, borrower, repaidAssets, repaidShares, seizedAssets, badDebtAssets,
// badDebtShares).
struct LiquidateEvent {
  MarketId market{};
  Address caller;
  Address borrower;
  u256 repaid_assets;
  u256 repaid_shares;
  u256 seized_assets;
  u256 bad_debt_assets;
  u256 bad_debt_shares;
};
[[nodiscard]] std::optional<LiquidateEvent> decode_liquidate(const chain::rpc::Log& log);

// Chainlink's AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt).
[[nodiscard]] const chain::Hash& answer_updated_topic();

}  // namespace protocols::morpho_blue
