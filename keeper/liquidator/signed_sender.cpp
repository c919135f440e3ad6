#include "keeper/liquidator/signed_sender.hpp"

#include <cmath>
#include <thread>

#include "chain/abi/revert.hpp"
#include "chain/hex.hpp"
#include "chain/rpc/json_codec.hpp"
#include "chain/transaction.hpp"

namespace keeper::liquidator {

using chain::rpc::Json;

namespace {

// The node's refusal in words: a revert's reason when it carries one.
std::string reason(const chain::rpc::RpcError& e) {
  if (e.revert_data) return "reverts: " + chain::abi::decode_revert(*e.revert_data).to_string();
  return e.to_string();
}

}  // namespace

tl::expected<std::uint64_t, std::string> SignedSender::gas_limit(
    const std::optional<chain::Address>& to, const chain::Bytes& data, const std::string& what) {
  // Built by hand: CallRequest always has a `to`, and a creation has none.
  Json request{{"from", key_.address().lower_hex()}, {"data", chain::hex_encode(data)}};
  if (to) request["to"] = to->lower_hex();
  auto estimate = rpc_.call("eth_estimateGas", Json::array({request}));
  if (!estimate) return tl::unexpected(what + ": the node refuses it, " + reason(estimate.error()));
  auto gas = chain::rpc::quantity_u64(*estimate, "gas");
  if (!gas) return tl::unexpected(what + ": " + gas.error().to_string());
  return static_cast<std::uint64_t>(
      std::ceil(static_cast<double>(*gas) * limits_.gas_limit_multiplier));
}

tl::expected<chain::rpc::Receipt, std::string> SignedSender::send(
    const std::optional<chain::Address>& to, const chain::Bytes& data, const std::string& what) {
  auto gas = gas_limit(to, data, what);
  if (!gas) return tl::unexpected(gas.error());
  auto nonce = rpc_.transaction_count(key_.address(), "pending");
  if (!nonce) return tl::unexpected(what + ": nonce: " + nonce.error().to_string());
  auto head = rpc_.block("latest");
  if (!head) return tl::unexpected(what + ": latest block: " + head.error().to_string());
  const chain::u256 base_fee = head->base_fee_per_gas.value_or(0);
  if (base_fee >= limits_.max_fee_per_gas)
    return tl::unexpected(what + ": the base fee (" + chain::to_dec(base_fee) +
                          " wei) is at or above strategy.max_fee_per_gas_gwei (" +
                          chain::to_dec(limits_.max_fee_per_gas) + " wei)");

  chain::Eip1559Tx tx;
  tx.chain_id = chain_id_;
  tx.nonce = *nonce;
  // Twice the base fee survives several full blocks; the caps bound what the operator pays.
  tx.max_fee_per_gas =
      std::min(limits_.max_fee_per_gas, base_fee * 2 + limits_.max_priority_fee_per_gas);
  tx.max_priority_fee_per_gas = std::min(limits_.max_priority_fee_per_gas, tx.max_fee_per_gas);
  tx.gas_limit = *gas;
  tx.to = to;
  tx.data = data;
  auto signed_tx = chain::sign_transaction(tx, key_);
  if (!signed_tx)
    return tl::unexpected(what +
                          ": signing failed: " + std::string{chain::describe(signed_tx.error())});
  auto sent = rpc_.send_raw_transaction(signed_tx->raw);
  if (!sent) return tl::unexpected(what + ": " + sent.error().to_string());
  using Kind = chain::rpc::SendResult::Kind;
  if (sent->kind != Kind::accepted && sent->kind != Kind::already_known)
    return tl::unexpected(what + ": the node refused the transaction: " + sent->message);
  return wait(signed_tx->hash, what);
}

tl::expected<chain::rpc::Receipt, std::string> SignedSender::wait(const chain::Hash& hash,
                                                                  const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + limits_.receipt_timeout;
  for (;;) {
    auto receipt = rpc_.receipt(hash);
    if (!receipt) return tl::unexpected(what + ": receipt: " + receipt.error().to_string());
    if (*receipt) {
      if (!(*receipt)->success)
        return tl::unexpected(what + ": reverted in block " +
                              std::to_string((*receipt)->block_number) + " (transaction " +
                              chain::hex_encode(hash) + ")");
      return **receipt;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return tl::unexpected(what + ": transaction " + chain::hex_encode(hash) +
                            " not mined within " + std::to_string(limits_.receipt_timeout.count()) +
                            " s");
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
}

}  // namespace keeper::liquidator
