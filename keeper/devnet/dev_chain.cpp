#include "keeper/devnet/dev_chain.hpp"

#include <map>
#include <thread>

#include "chain/abi/revert.hpp"
#include "chain/hex.hpp"
#include "chain/rpc/json_codec.hpp"

namespace keeper::devnet {

using chain::rpc::Json;

tl::expected<chain::Bytes, std::string> calldata(std::string_view signature,
                                                 const chain::abi::Values& args) {
  auto data = chain::abi::encode_call(signature, args);
  if (!data)
    return tl::unexpected(std::string{signature} + ": " +
                          std::string{chain::abi::describe(data.error())});
  return *data;
}

namespace {

constexpr std::size_t kBatch = 250;  // calls per JSON-RPC batch
// send_all's priority fee: anvil's own suggestion. A higher one would raise the tip anvil suggests
// (eth_maxPriorityFeePerGas) to keeper for the blocks that follow.
constexpr std::uint64_t kTip = 1'000'000'000;

// One-off admin transactions may use a whole block; round transactions declare what they need,
// so that a block packs many of them.
Json tx_json(const Address& from, const std::optional<Address>& to, const chain::Bytes& data,
             std::uint64_t gas = 30'000'000) {
  Json tx{{"from", from.lower_hex()},
          {"data", chain::hex_encode(data)},
          {"gas", chain::to_hex_quantity(chain::u256{gas})}};
  if (to) tx["to"] = to->lower_hex();
  return tx;
}

}  // namespace

std::string DevChain::revert_reason(const Address& from, const std::optional<Address>& to,
                                    const chain::Bytes& data) {
  if (!to) return "contract creation reverted";
  chain::rpc::CallRequest call{from, *to, data, std::nullopt, std::nullopt};
  auto result = rpc_.eth_call(call, "latest");
  if (result) return "reverted (no longer reproducible)";
  if (result.error().revert_data)
    return chain::abi::decode_revert(*result.error().revert_data).to_string();
  return result.error().to_string();
}

tl::expected<chain::Hash, std::string> DevChain::submit(const Address& from,
                                                        const std::optional<Address>& to,
                                                        const chain::Bytes& data,
                                                        const std::string& what) {
  auto hash = rpc_.call("eth_sendTransaction", Json::array({tx_json(from, to, data)}));
  if (!hash) {
    const auto& e = hash.error();
    const std::string reason =
        e.revert_data ? chain::abi::decode_revert(*e.revert_data).to_string() : e.to_string();
    return tl::unexpected(what + ": " + reason);
  }
  auto h = chain::rpc::hash_of(*hash, "transactionHash");
  if (!h) return tl::unexpected(what + ": " + h.error().to_string());
  return *h;
}

tl::expected<chain::rpc::Receipt, std::string> DevChain::wait(const chain::Hash& hash,
                                                              const Address& from,
                                                              const std::optional<Address>& to,
                                                              const chain::Bytes& data,
                                                              const std::string& what) {
  for (int i = 0; i < 2000; ++i) {
    auto receipt = rpc_.receipt(hash);
    if (!receipt) return tl::unexpected(what + ": " + receipt.error().to_string());
    if (*receipt) {
      if (!(*receipt)->success) return tl::unexpected(what + ": " + revert_reason(from, to, data));
      return **receipt;
    }
    // Automine answers within a millisecond or two; back off so polling never slows anvil.
    std::this_thread::sleep_for(std::chrono::milliseconds{i < 20 ? 1 : 10});
  }
  return tl::unexpected(what + ": not mined within 20 s");
}

tl::expected<chain::rpc::Receipt, std::string> DevChain::send(const Address& from,
                                                              const Address& to,
                                                              const chain::Bytes& data,
                                                              const std::string& what) {
  auto hash = submit(from, to, data, what);
  if (!hash) return tl::unexpected(hash.error());
  return wait(*hash, from, to, data, what);
}

tl::expected<Address, std::string> DevChain::deploy(const Address& from, const Artifact& artifact,
                                                    const std::map<std::string, Address>& libraries,
                                                    const chain::abi::Values& args) {
  auto data = artifact.deploy_data(libraries, args);
  if (!data) return tl::unexpected(data.error());
  const std::string what = "deploy " + artifact.name;
  auto hash = submit(from, std::nullopt, *data, what);
  if (!hash) return tl::unexpected(hash.error());
  auto receipt = wait(*hash, from, std::nullopt, *data, what);
  if (!receipt) return tl::unexpected(receipt.error());
  if (!receipt->contract_address)
    return tl::unexpected(what + ": no contract address in the receipt");
  return *receipt->contract_address;
}

tl::expected<chain::abi::Values, std::string> DevChain::view(const Address& to,
                                                             const std::string& signature,
                                                             const chain::abi::Values& args) {
  auto fn = chain::abi::parse_function(signature);
  if (!fn) return tl::unexpected(signature + ": bad signature");
  auto data = fn->encode_call(args);
  if (!data)
    return tl::unexpected(signature + ": " + std::string{chain::abi::describe(data.error())});
  chain::rpc::CallRequest call{std::nullopt, to, *data, std::nullopt, std::nullopt};
  auto result = rpc_.eth_call(call, "latest");
  if (!result) return tl::unexpected(signature + ": " + result.error().to_string());
  auto values = fn->decode_output(*result);
  if (!values)
    return tl::unexpected(signature + ": " + std::string{chain::abi::describe(values.error())});
  return *values;
}

tl::expected<std::vector<chain::Hash>, std::string> DevChain::submit_all(
    const std::vector<TxRequest>& requests, const std::optional<chain::u256>& max_fee_per_gas) {
  // Explicit nonces: a batch may be handled concurrently, and two requests of one sender must never
  // be given the same nonce by the node.
  std::map<Address, std::uint64_t> nonces;
  for (const auto& r : requests) nonces.emplace(r.from, 0);
  {
    std::vector<Address> senders;
    std::vector<chain::rpc::Call> calls;
    for (const auto& [sender, n] : nonces) {
      senders.push_back(sender);
      calls.push_back({"eth_getTransactionCount", Json::array({sender.lower_hex(), "pending"})});
    }
    for (std::size_t first = 0; first < calls.size(); first += kBatch) {
      const auto last = std::min(calls.size(), first + kBatch);
      auto results = rpc_.batch(
          std::vector<chain::rpc::Call>(calls.begin() + static_cast<std::ptrdiff_t>(first),
                                        calls.begin() + static_cast<std::ptrdiff_t>(last)));
      if (!results) return tl::unexpected("nonces: " + results.error().to_string());
      for (std::size_t i = 0; i < results->size(); ++i) {
        const auto& r = (*results)[i];
        if (!r) return tl::unexpected("nonce: " + r.error().to_string());
        auto n = chain::rpc::quantity_u64(*r, "nonce");
        if (!n) return tl::unexpected("nonce: " + n.error().to_string());
        nonces[senders[first + i]] = *n;
      }
    }
  }
  std::vector<chain::Hash> hashes;
  hashes.reserve(requests.size());
  for (std::size_t first = 0; first < requests.size(); first += kBatch) {
    std::vector<chain::rpc::Call> calls;
    const auto last = std::min(requests.size(), first + kBatch);
    for (std::size_t i = first; i < last; ++i) {
      Json tx = tx_json(requests[i].from, requests[i].to, requests[i].data, requests[i].gas);
      tx["nonce"] = chain::to_hex_quantity(chain::u256{nonces[requests[i].from]++});
      if (max_fee_per_gas) {
        tx["maxFeePerGas"] = chain::to_hex_quantity(*max_fee_per_gas);
        tx["maxPriorityFeePerGas"] = chain::to_hex_quantity(chain::u256{kTip});
      }
      calls.push_back({"eth_sendTransaction", Json::array({tx})});
    }
    auto results = rpc_.batch(calls);
    if (!results) return tl::unexpected("submitting a round: " + results.error().to_string());
    for (std::size_t i = 0; i < results->size(); ++i) {
      const auto& r = (*results)[i];
      if (!r) return tl::unexpected(requests[first + i].what + ": " + r.error().to_string());
      auto h = chain::rpc::hash_of(*r, "transactionHash");
      if (!h) return tl::unexpected(requests[first + i].what + ": " + h.error().to_string());
      hashes.push_back(*h);
    }
  }
  return hashes;
}

tl::expected<bool, std::string> DevChain::check_receipts(const std::vector<TxRequest>& requests,
                                                         const std::vector<chain::Hash>& hashes,
                                                         bool pending_is_error) {
  for (std::size_t first = 0; first < hashes.size(); first += kBatch) {
    std::vector<chain::rpc::Call> calls;
    const auto last = std::min(hashes.size(), first + kBatch);
    for (std::size_t i = first; i < last; ++i)
      calls.push_back({"eth_getTransactionReceipt", Json::array({chain::hex_encode(hashes[i])})});
    auto results = rpc_.batch(calls);
    if (!results) return tl::unexpected("receipts of a round: " + results.error().to_string());
    for (std::size_t i = 0; i < results->size(); ++i) {
      const auto& r = (*results)[i];
      const auto& req = requests[first + i];
      if (!r) return tl::unexpected(req.what + ": " + r.error().to_string());
      if (r->is_null()) {
        if (pending_is_error) return tl::unexpected(req.what + ": not mined");
        return false;
      }
      auto status = chain::rpc::quantity_u64((*r)["status"], "status");
      if (!status || *status != 1)
        return tl::unexpected(req.what + ": " + revert_reason(req.from, req.to, req.data));
    }
  }
  return true;
}

tl::expected<void, std::string> DevChain::send_round(const std::vector<TxRequest>& requests) {
  if (requests.empty()) return {};
  if (auto r = rpc_.call("evm_setAutomine", Json::array({false})); !r)
    return tl::unexpected("evm_setAutomine: " + r.error().to_string());
  auto hashes = submit_all(requests, std::nullopt);
  if (!hashes) return tl::unexpected(hashes.error());
  // Mine until the pool is empty (bounded: every block holds at least one transaction).
  for (std::size_t blocks = 0; blocks <= requests.size(); ++blocks) {
    auto status = rpc_.call("txpool_status", Json::array());
    if (!status) return tl::unexpected("txpool_status: " + status.error().to_string());
    auto pending = chain::rpc::quantity_u64((*status)["pending"], "pending");
    if (pending && *pending == 0) break;
    if (auto r = rpc_.call("evm_mine", Json::array()); !r)
      return tl::unexpected("evm_mine: " + r.error().to_string());
  }
  if (auto r = rpc_.call("evm_setAutomine", Json::array({true})); !r)
    return tl::unexpected("evm_setAutomine: " + r.error().to_string());
  auto mined = check_receipts(requests, *hashes, true);
  if (!mined) return tl::unexpected(mined.error());
  return {};
}

tl::expected<std::optional<std::size_t>, std::string> DevChain::first_dropped(
    const std::vector<chain::Hash>& hashes) {
  std::vector<chain::rpc::Call> calls;
  for (const auto& h : hashes)
    calls.push_back({"eth_getTransactionByHash", Json::array({chain::hex_encode(h)})});
  auto results = rpc_.batch(calls);
  if (!results) return tl::unexpected("transactions of a round: " + results.error().to_string());
  for (std::size_t i = 0; i < results->size(); ++i) {
    const auto& r = (*results)[i];
    if (!r) return tl::unexpected("transaction of a round: " + r.error().to_string());
    if (r->is_null()) return std::optional<std::size_t>{i};
  }
  return std::optional<std::size_t>{};
}

tl::expected<void, std::string> DevChain::send_all(const std::vector<TxRequest>& requests,
                                                   std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::vector<TxRequest> pending = requests;
  while (!pending.empty()) {
    // Blocks full of keeper's liquidations raise the base fee 12.5% each: ten times today's base
    // fee outlasts ~19 of them; only the base fee and the tip are paid.
    auto head = rpc_.block("latest");
    if (!head) return tl::unexpected("latest block: " + head.error().to_string());
    const chain::u256 base_fee = head->base_fee_per_gas.value_or(chain::u256{0});
    auto hashes = submit_all(pending, base_fee * 10 + kTip);
    if (!hashes) return tl::unexpected(hashes.error());
    while (true) {
      const bool last_look = std::chrono::steady_clock::now() >= deadline;
      auto mined = check_receipts(pending, *hashes, last_look);
      if (!mined) return tl::unexpected(mined.error());
      if (*mined) return {};
      // A transaction that no longer fits a block full of liquidations is skipped, and anvil
      // 1.7.1 then drops the sender's later nonces from its pool for good (seen under the demo).
      // Once everything before the first dropped one is mined, send the rest again.
      auto dropped = first_dropped(*hashes);
      if (!dropped) return tl::unexpected(dropped.error());
      if (*dropped) {
        const auto kept = static_cast<std::ptrdiff_t>(**dropped);
        const std::vector<TxRequest> before(pending.begin(), pending.begin() + kept);
        const std::vector<chain::Hash> before_hashes(hashes->begin(), hashes->begin() + kept);
        auto landed = check_receipts(before, before_hashes, last_look);
        if (!landed) return tl::unexpected(landed.error());
        if (*landed) {
          pending.erase(pending.begin(), pending.begin() + kept);
          break;
        }
      }
      // A block per transaction answers within milliseconds; interval mining within a block time.
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
  }
  return {};
}

}  // namespace keeper::devnet
