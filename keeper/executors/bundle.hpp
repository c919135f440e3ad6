#pragma once
// A Flashbots-style bundle and its eth_sendBundle request body: signed transactions a builder
// must include together, in order, in one block, or not at all.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chain/bytes.hpp"

namespace keeper::executors {

struct Bundle {
  std::vector<chain::Bytes> txs;   // signed raw transactions, in the order they must run
  std::uint64_t block_number = 0;  // the one block this bundle is valid for
  std::optional<std::uint64_t> min_timestamp;  // seconds since the epoch
  std::optional<std::uint64_t> max_timestamp;
  // Transactions allowed to revert without the builder dropping the bundle (by hash).
  std::vector<chain::Hash> reverting_tx_hashes;
};

// A transaction's hash is the Keccak-256 of its signed bytes (typed envelope included).
[[nodiscard]] chain::Hash transaction_hash(const chain::Bytes& raw);

// {"jsonrpc":"2.0","id":<id>,"method":"eth_sendBundle","params":[{"txs":[..],
//  "blockNumber":"0x..", "minTimestamp":n, "maxTimestamp":n, "revertingTxHashes":[..]}]}
// The optional fields appear only when set.
[[nodiscard]] std::string send_bundle_body(const Bundle& bundle, std::uint64_t request_id);

}  // namespace keeper::executors
