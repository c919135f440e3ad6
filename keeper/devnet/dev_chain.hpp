#pragma once
// Talking to our own anvil as its administrator: transactions from unlocked or impersonated
// accounts (eth_sendTransaction), view calls, and rounds of many transactions mined together.
#include <chrono>
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
  // Submits every request (each sender's in order) without touching the node's mining mode, so a
  // devnet mining on an interval keeps doing so, and waits up to `limit` until all are mined
  // (sending again what the node drops from its pool: everything after the first dropped one,
  // which is right for one sender, as the pool arbitrage uses it); checks every receipt.
  [[nodiscard]] tl::expected<void, std::string> send_all(
      const std::vector<TxRequest>& requests,
      std::chrono::milliseconds limit = std::chrono::milliseconds{30'000});

  [[nodiscard]] chain::rpc::RpcClient& rpc() { return rpc_; }

 private:
  tl::expected<chain::Hash, std::string> submit(const Address& from,
                                                const std::optional<Address>& to,
                                                const chain::Bytes& data, const std::string& what);
  tl::expected<chain::rpc::Receipt, std::string> wait(const chain::Hash& hash, const Address& from,
                                                      const std::optional<Address>& to,
                                                      const chain::Bytes& data,
                                                      const std::string& what);
  // Every request with an explicit nonce (and fee cap, when given), in JSON-RPC batches: their
  // hashes, in order.
  tl::expected<std::vector<chain::Hash>, std::string> submit_all(
      const std::vector<TxRequest>& requests, const std::optional<chain::u256>& max_fee_per_gas);
  // The index of the first transaction the node no longer knows (dropped from its pool), if any.
  tl::expected<std::optional<std::size_t>, std::string> first_dropped(
      const std::vector<chain::Hash>& hashes);
  // true: all mined and successful; false: some not mined yet (an error when `pending_is_error`).
  tl::expected<bool, std::string> check_receipts(const std::vector<TxRequest>& requests,
                                                 const std::vector<chain::Hash>& hashes,
                                                 bool pending_is_error);
  std::string revert_reason(const Address& from, const std::optional<Address>& to,
                            const chain::Bytes& data);

  chain::rpc::RpcClient& rpc_;
};

// Call data for `signature` ("supply(address,uint256,address,uint16)") or a clear error.
[[nodiscard]] tl::expected<chain::Bytes, std::string> calldata(std::string_view signature,
                                                               const chain::abi::Values& args);

}  // namespace keeper::devnet
