#pragma once
// Recognises, in a MEV-Share hint, a pending update of an aggregator keeper follows, and reads
// the answer it will set from what the hint shares. What Chainlink SVR shares on Ethereum
// (docs.chain.link/data-feeds/svr-feeds/searcher-onboarding-ethereum): one transaction per
// event (sometimes a bundle of several, in nonce order) with `to` = a node operator's forwarder,
// functionSelector 0x6fadcf72 and the full callData of forward(aggregator, transmitSecondary(..)).
// The forms read, in order of preference:
//   forwarded_call  forward(to, inner) whose `to` is followed and whose inner call is an
//                   aggregator update (transmitSecondary, transmit, OCR1 transmit, updateAnswer)
//   direct_call     a transaction sent straight to a followed aggregator, with its calldata
//   log             a followed aggregator's NewTransmission (OCR2 or OCR1: the answer is the
//                   first data word) or AnswerUpdated (the answer is topic 1), when the sender
//                   shares logs
// A hint that names a followed aggregator but shares nothing the answer can be read from (no
// calldata, no logs) is counted and skipped, as is one whose shared data does not decode.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "chain/address.hpp"
#include "chain/bytes.hpp"
#include "chain/uint256.hpp"
#include "keeper/ofa/mev_share_hint.hpp"
#include "oracles/chainlink/pending_update.hpp"

namespace keeper::ofa {

enum class HintedUpdateKind : std::uint8_t { forwarded_call, direct_call, log };

[[nodiscard]] std::string_view describe(HintedUpdateKind k) noexcept;

struct HintedUpdate {
  chain::Hash update_hash{};  // the hint's hash: the {hash} a backrun bundle names
  chain::Address aggregator;
  chain::i256 answer;
  HintedUpdateKind kind = HintedUpdateKind::forwarded_call;
  std::size_t index = 0;  // the transaction's (calldata forms) or log's (log form) index
  // The decoded call for the calldata forms (epoch and round, observation count).
  std::optional<oracles::chainlink::PendingUpdate> call;

  friend bool operator==(const HintedUpdate&, const HintedUpdate&) = default;
};

// Why a hint gave no update.
enum class HintSkip : std::uint8_t {
  not_followed,      // nothing in it touches a followed aggregator (most of the stream)
  no_answer_shared,  // it names a followed aggregator but shares no calldata or log to read
  malformed_update,  // its calldata or log for a followed aggregator does not decode
};

[[nodiscard]] std::string_view describe(HintSkip s) noexcept;

struct HintReading {
  std::vector<HintedUpdate> updates;  // at most one per aggregator, in the hint's order
  std::optional<HintSkip> skip;       // set exactly when updates is empty
  // The decoder's error, for a malformed update.
  std::optional<oracles::chainlink::UpdateError> error;
};

struct HintCounts {
  std::uint64_t hints = 0;
  std::uint64_t updates = 0;
  std::uint64_t not_followed = 0;
  std::uint64_t no_answer_shared = 0;
  std::uint64_t malformed_update = 0;
};

class OracleHintReader {
 public:
  explicit OracleHintReader(std::unordered_set<chain::Address> aggregators = {});

  // The aggregators followed: those the market's price sources read (for SVR feeds, the SVR
  // aggregator behind the proxy the protocol's oracle names).
  void follow(const chain::Address& aggregator) { aggregators_.insert(aggregator); }
  void unfollow(const chain::Address& aggregator) { aggregators_.erase(aggregator); }
  [[nodiscard]] bool follows(const chain::Address& a) const { return aggregators_.contains(a); }

  // Reads one hint and counts the result.
  HintReading read(const Hint& hint);
  [[nodiscard]] const HintCounts& counts() const noexcept { return counts_; }

 private:
  std::unordered_set<chain::Address> aggregators_;
  HintCounts counts_;
};

// Topic 0 of the events the log form reads.
[[nodiscard]] const chain::Hash& ocr2_new_transmission_topic();
[[nodiscard]] const chain::Hash& ocr1_new_transmission_topic();
[[nodiscard]] const chain::Hash& answer_updated_topic();

}  // namespace keeper::ofa
