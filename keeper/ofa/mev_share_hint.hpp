#pragma once
// One event of the Flashbots MEV-Share event stream: the hint of a pending transaction (or
// bundle) a user sent privately, carrying only what its sender chose to share.
// Scheme (github.com/flashbots/mev-share specs/events/v0.1.md, docs.flashbots.net
// flashbots-mev-share/searchers/event-stream):
//   {"hash": "0x..", "logs": [{"address","topics","data"}] | null,
//    "txs": [{"to","functionSelector","callData","hash"?}] | null,
//    "mevGasPrice": "0x..", "gasUsed": "0x.."}
// Every field but `hash` is optional. `hash` is what a backrun bundle names ({hash: ...}).
// The text is untrusted: a malformed event is a typed error, never a crash, and the number of
// transactions, logs and topics is bounded.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "chain/bytes.hpp"
#include "chain/uint256.hpp"

namespace keeper::ofa {

inline constexpr std::size_t kMaxHintTxs = 64;
inline constexpr std::size_t kMaxHintLogs = 256;
inline constexpr std::size_t kMaxLogTopics = 4;

struct HintTx {
  std::optional<chain::Address> to;
  std::optional<chain::FixedBytes<4>> function_selector;
  std::optional<chain::Bytes> call_data;
  std::optional<chain::Hash> hash;  // only some streams (bundle events) name it
};

struct HintLog {
  chain::Address address;
  std::vector<chain::Hash> topics;
  chain::Bytes data;
};

struct Hint {
  chain::Hash hash{};  // the event's hash: what mev_sendBundle's {hash} refers to
  std::vector<HintTx> txs;
  std::vector<HintLog> logs;
  std::optional<chain::u256> mev_gas_price;
  std::optional<std::uint64_t> gas_used;
};

enum class HintError : std::uint8_t {
  not_json,
  not_an_object,
  bad_hash,        // missing, or not a 32-byte hex string
  bad_txs,         // txs is neither a list nor null, or an entry is not an object
  bad_tx_field,    // a tx's to / functionSelector / callData / hash is not what it should be
  bad_logs,        // logs is neither a list nor null, or an entry is not an object
  bad_log_field,   // a log's address / topics / data is not what it should be
  bad_gas,         // mevGasPrice or gasUsed is not a hex quantity (gasUsed: 64 bits)
  too_many_items,  // more txs, logs or topics than any real event has
};

[[nodiscard]] std::string_view describe(HintError e) noexcept;

// Parses the JSON text of one event's data.
[[nodiscard]] tl::expected<Hint, HintError> parse_hint(std::string_view json_text);

}  // namespace keeper::ofa
