#pragma once
// Typed Aave V3 events: the Pool's, its aTokens' and debt tokens', the oracle's, the configurator's
// and the Chainlink-style feeds'. Decoding is specialised per event (fixed topic count and word
// count), because it runs on every log the keeper ingests.
#include <cstdint>
#include <set>
#include <span>
#include <string_view>
#include <variant>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "chain/bytes.hpp"
#include "chain/uint256.hpp"

namespace protocols::aave_v3 {

// What a log is, independent of the transport that delivered it.
struct LogRef {
  chain::Address address;
  std::span<const chain::Hash> topics;
  chain::BytesView data;
};

// New rates and indexes of a reserve, written by every state-changing Pool action.
struct ReserveDataUpdated {
  chain::Address reserve;
  chain::u256 liquidity_rate;
  chain::u256 stable_borrow_rate;
  chain::u256 variable_borrow_rate;
  chain::u256 liquidity_index;
  chain::u256 variable_borrow_index;
};

enum class TouchKind : std::uint8_t {
  supply,
  withdraw,
  borrow,
  repay,
  collateral_enabled,
  collateral_disabled,
  emode_set,
  balance_transfer,
  mint,
  burn,
  swap_rate_mode,
  rebalance_stable_rate,
  mint_unbacked
};

// An action that changed one or two accounts' positions; the account is refreshed at that block.
struct AccountsTouched {
  TouchKind kind{};
  chain::Address reserve;  // the pool reserve or the emitting token; zero for eMode changes
  chain::Address first;
  chain::Address second;  // zero when only one account is touched
};

struct LiquidationCall {
  chain::Address collateral_asset;
  chain::Address debt_asset;
  chain::Address user;
  chain::u256 debt_to_cover;
  chain::u256 liquidated_collateral_amount;
  chain::Address liquidator;
  bool receive_a_token = false;
};

// Chainlink aggregator's AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256
// updatedAt).
struct AnswerUpdated {
  chain::Address aggregator;
  chain::u256 current;  // two's complement int256: negative answers keep their top bit set
  chain::u256 round_id;
  chain::u256 updated_at;
  [[nodiscard]] bool negative() const noexcept { return (current >> 255) != 0; }
};

struct AssetSourceUpdated {
  chain::Address asset;
  chain::Address source;
};

// Any configurator change to one reserve's parameters: the reserve is re-read.
struct ReserveConfigChanged {
  chain::Address asset;
};

struct EModeCategoryAdded {
  std::uint8_t category = 0;
};

using Event = std::variant<ReserveDataUpdated, AccountsTouched, LiquidationCall, AnswerUpdated,
                           AssetSourceUpdated, ReserveConfigChanged, EModeCategoryAdded>;

enum class EventError {
  not_an_aave_event,  // topic0 unknown: not an error for the caller, just not ours
  wrong_topic_count,
  wrong_data_length,
  dirty_address_word,  // an address word with non-zero high bytes
  bad_bool,
};

[[nodiscard]] std::string_view describe(EventError e) noexcept;

[[nodiscard]] tl::expected<Event, EventError> decode_event(const LogRef& log);

// The accounts whose positions an event changed (none for market-level events); zero addresses
// (token mints and burns) are left out.
void add_accounts_changed(const Event& event, std::set<chain::Address>& out);

// topic0 of every event decode_event understands, for log filters and subscriptions.
[[nodiscard]] std::span<const chain::Hash> pool_event_topics();
[[nodiscard]] std::span<const chain::Hash> token_event_topics();
[[nodiscard]] std::span<const chain::Hash> oracle_event_topics();
[[nodiscard]] std::span<const chain::Hash> configurator_event_topics();
[[nodiscard]] const chain::Hash& answer_updated_topic();

}  // namespace protocols::aave_v3
