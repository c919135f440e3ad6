#include "tests/support/scripted_mempool.hpp"

#include "chain/hex.hpp"
#include "chain/uint256.hpp"

namespace keeper::testing {
namespace {

using chain::rpc::Json;

std::string quantity(std::uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(n));
  return buf;
}

}  // namespace

ScriptedMempool::ScriptedMempool(std::uint64_t chain_id, std::uint64_t first_nonce)
    : mined_nonce_{first_nonce} {
  node_.answer("eth_chainId", quantity(chain_id));
  node_.answer("eth_blockNumber", quantity(100));
  node_.on("eth_getTransactionCount", [this](const Json& params) -> ScriptedNode::Answer {
    if (params.size() > 1 && params[1] == "pending") {
      std::uint64_t next = mined_nonce_;
      for (const auto& tx : taken_) next = std::max(next, chain::nonce_of(tx.tx) + 1);
      return quantity(next);
    }
    return quantity(mined_nonce_);
  });
  node_.on("eth_sendRawTransaction", [this](const Json& params) { return take(params); });
  node_.on("eth_getTransactionReceipt",
           [this](const Json& params) -> ScriptedNode::Answer { return receipt_of(params); });
  node_.on("eth_call", [this](const Json&) -> ScriptedNode::Answer {
    if (calls_revert_) return tl::unexpected(ScriptedNode::Refusal{3, "execution reverted"});
    return Json("0x");
  });
  node_.answer("eth_estimateGas", "0x30d40");  // 200,000
}

ScriptedNode::Answer ScriptedMempool::take(const Json& params) {
  if (!params.is_array() || params.empty() || !params[0].is_string())
    return tl::unexpected(ScriptedNode::Refusal{-32602, "invalid params"});
  auto raw = chain::hex_decode(params[0].get<std::string>());
  if (!raw) return tl::unexpected(ScriptedNode::Refusal{-32602, "not hex"});
  auto tx = chain::decode_signed(*raw);
  if (!tx) return tl::unexpected(ScriptedNode::Refusal{-32602, "not a transaction"});
  if (refuse_)
    if (auto why = refuse_(*tx)) {
      ++refused_;
      return tl::unexpected(ScriptedNode::Refusal{-32000, *why});
    }
  taken_.push_back(*tx);
  return Json(chain::hex_encode(tx->hash));
}

void ScriptedMempool::mine(std::uint64_t nonce, std::uint64_t block, bool success) {
  for (auto it = taken_.rbegin(); it != taken_.rend(); ++it) {
    if (chain::nonce_of(it->tx) != nonce) continue;
    receipts_[it->hash] = {block, success};
    mined_nonce_ = std::max(mined_nonce_, nonce + 1);
    return;
  }
}

Json ScriptedMempool::receipt_of(const Json& params) const {
  if (!params.is_array() || params.empty() || !params[0].is_string()) return nullptr;
  auto hash = chain::hex_decode_fixed<32>(params[0].get<std::string>());
  if (!hash) return nullptr;
  const auto it = receipts_.find(*hash);
  if (it == receipts_.end()) return nullptr;
  const std::string block_hash = "0x" + std::string(64, 'b');
  return Json{{"transactionHash", params[0]},
              {"status", it->second.second ? "0x1" : "0x0"},
              {"gasUsed", "0x5208"},
              {"effectiveGasPrice", "0x3b9aca00"},
              {"blockNumber", quantity(it->second.first)},
              {"blockHash", block_hash},
              {"logs", Json::array()}};
}

}  // namespace keeper::testing
