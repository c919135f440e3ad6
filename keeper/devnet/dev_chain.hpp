#pragma once
// Talking to our own anvil as its administrator: transactions from unlocked or impersonated
// accounts (eth_sendTransaction), view calls, and rounds of many transactions mined together.
#include <string>
#include <vector>

#include "chain/abi/signature.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "keeper/devnet/artifact.hpp"

namespace keeper::devnet {

using chain::Address;

struct TxRequest {
  Address from;
  Address to;
  chain::Bytes data;
  std::string what;  // for error messages: "supply WETH for 0xabc…"
  std::uint64_t gas = 700'000;
};

class DevChain {
 public:
  explicit DevChain(chain::rpc::RpcClient& rpc) : rpc_{rpc} {}

  [[nodiscard]] tl::expected<Address, std::string> deploy(
      const Address& from, const Artifact& artifact,
      const std::map<std::string, Address>& libraries, const chain::abi::Values& args);
  [[nodiscard]] tl::expected<chain::rpc::Receipt, std::string> send(const Address& from,
                                                                    const Address& to,
                                                                    const chain::Bytes& data,
                                                                    const std::string& what);
  [[nodiscard]] tl::expected<chain::abi::Values, std::string> view(const Address& to,
                                                                   const std::string& signature,
                                                                   const chain::abi::Values& args);
  // Submits every request with automine off, mines until all are included, turns automine back on,
  // and checks every receipt. Each sender's requests keep their order.
  [[nodiscard]] tl::expected<void, std::string> send_round(const std::vector<TxRequest>& requests);

  [[nodiscard]] chain::rpc::RpcClient& rpc() { return rpc_; }

 private:
  tl::expected<chain::Hash, std::string> submit(const Address& from,
                                                const std::optional<Address>& to,
                                                const chain::Bytes& data, const std::string& what);
  tl::expected<chain::rpc::Receipt, std::string> wait(const chain::Hash& hash, const Address& from,
                                                      const std::optional<Address>& to,
                                                      const chain::Bytes& data,
                                                      const std::string& what);
  std::string revert_reason(const Address& from, const std::optional<Address>& to,
                            const chain::Bytes& data);

  chain::rpc::RpcClient& rpc_;
};

// Call data for `signature` ("supply(address,uint256,address,uint16)") or a clear error.
[[nodiscard]] tl::expected<chain::Bytes, std::string> calldata(std::string_view signature,
                                                               const chain::abi::Values& args);

}  // namespace keeper::devnet
