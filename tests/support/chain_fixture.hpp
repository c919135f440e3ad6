#pragma once
// A real anvil on 127.0.0.1 with an RPC client and anvil's funded account 0, for tests that need
// a chain. Transactions are signed by keeper's own code and sent raw.
#include <optional>
#include <string>

#include "chain/rpc/rpc_client.hpp"
#include "chain/transaction.hpp"
#include "keeper/process/anvil.hpp"

namespace keeper::testing {

// anvil's well-known development keys: test-only, never real funds.
inline constexpr std::string_view kAnvilKey0 =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
inline constexpr std::string_view kAnvilKey1 =
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

class ChainFixture {
 public:
  explicit ChainFixture(keeper::AnvilOptions options = {});

  keeper::Anvil& anvil() { return *anvil_; }
  chain::rpc::RpcClient& rpc() { return *rpc_; }
  const chain::PrivateKey& key() const { return key_; }

  // Signs an EIP-1559 transaction from account 0 and waits (bounded) for its receipt.
  chain::rpc::Receipt send(const std::optional<chain::Address>& to, const chain::Bytes& data,
                           const chain::u256& value = 0, std::uint64_t gas = 1'000'000);
  chain::Address deploy(const chain::Bytes& initcode);

 private:
  std::optional<keeper::Anvil> anvil_;
  std::optional<chain::rpc::RpcClient> rpc_;
  chain::PrivateKey key_;
};

// Runtime code that emits LOG1(topic, calldata) on every call: a minimal event source.
[[nodiscard]] chain::Bytes log_emitter_initcode(const chain::Hash& topic);

}  // namespace keeper::testing
