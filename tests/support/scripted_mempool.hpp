#pragma once
// A scripted node with just enough of a chain behind it for the transaction manager: a chain id,
// a sender's nonce, a mempool that takes or refuses raw transactions, and receipts for what the
// test mines. What the transaction manager does is then asserted from what reached the node.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "chain/transaction.hpp"
#include "tests/support/scripted_node.hpp"

namespace keeper::testing {

class ScriptedMempool {
 public:
  // `refuse(tx)` returns the node's words for a transaction it will not take, or nothing.
  using Refuse = std::function<std::optional<std::string>(const chain::SignedTx&)>;

  ScriptedMempool(std::uint64_t chain_id, std::uint64_t first_nonce);

  [[nodiscard]] ScriptedNode& node() noexcept { return node_; }
  void refuse_when(Refuse refuse) { refuse_ = std::move(refuse); }
  // eth_call answers: succeed (empty output) or revert.
  void calls_revert(bool revert) { calls_revert_ = revert; }

  // Mines the transaction taken at `nonce` (the latest one taken there) with `success`.
  void mine(std::uint64_t nonce, std::uint64_t block, bool success = true);

  // Every transaction the node took, in arrival order.
  [[nodiscard]] const std::vector<chain::SignedTx>& taken() const noexcept { return taken_; }
  [[nodiscard]] std::size_t refused() const noexcept { return refused_; }

 private:
  [[nodiscard]] ScriptedNode::Answer take(const chain::rpc::Json& params);
  [[nodiscard]] chain::rpc::Json receipt_of(const chain::rpc::Json& params) const;

  ScriptedNode node_;
  std::uint64_t mined_nonce_;
  Refuse refuse_;
  bool calls_revert_ = false;
  std::vector<chain::SignedTx> taken_;
  std::size_t refused_ = 0;
  std::map<chain::Hash, std::pair<std::uint64_t, bool>> receipts_;  // hash -> block, success
};

}  // namespace keeper::testing
