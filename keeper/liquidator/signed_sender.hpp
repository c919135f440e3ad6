#pragma once
// One-off transactions signed by keeper's wallet for operator commands (deploy, withdraw): gas
// estimated by the node, EIP-1559 fees within the configured caps, the raw transaction sent, and
// its receipt awaited for a bounded time. Not the daemon's transaction manager: no replacement or
// journal, because an operator runs these by hand and sees the outcome at once.
#include <chrono>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "chain/rpc/rpc_client.hpp"
#include "chain/signer.hpp"

namespace keeper::liquidator {

struct SendLimits {
  chain::u256 max_fee_per_gas;
  chain::u256 max_priority_fee_per_gas;
  double gas_limit_multiplier = 1.2;  // over the node's estimate
  std::chrono::seconds receipt_timeout{60};
};

class SignedSender {
 public:
  SignedSender(chain::rpc::RpcClient& rpc, const chain::PrivateKey& key, std::uint64_t chain_id,
               SendLimits limits)
      : rpc_{rpc}, key_{key}, chain_id_{chain_id}, limits_{limits} {}

  // `to` nullopt: contract creation. `what` names the transaction in error messages. A receipt
  // with status 0 is an error too.
  [[nodiscard]] tl::expected<chain::rpc::Receipt, std::string> send(
      const std::optional<chain::Address>& to, const chain::Bytes& data, const std::string& what);

 private:
  tl::expected<std::uint64_t, std::string> gas_limit(const std::optional<chain::Address>& to,
                                                     const chain::Bytes& data,
                                                     const std::string& what);
  tl::expected<chain::rpc::Receipt, std::string> wait(const chain::Hash& hash,
                                                      const std::string& what);

  chain::rpc::RpcClient& rpc_;
  const chain::PrivateKey& key_;
  std::uint64_t chain_id_;
  SendLimits limits_;
};

}  // namespace keeper::liquidator
