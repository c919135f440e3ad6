#include "keeper/devnet/oracle_transmit.hpp"

#include <thread>

#include "chain/abi/revert.hpp"
#include "chain/hex.hpp"
#include "chain/rpc/json_codec.hpp"
#include "chain/signer.hpp"
#include "chain/transaction.hpp"
#include "keeper/devnet/ocr2_report.hpp"

namespace keeper::devnet {
namespace {

using chain::rpc::Json;

// The aggregator's view functions, read at "pending": a transmit still waiting in the mempool has
// already used its epoch and round, and the next one must come after it or it would revert.
tl::expected<chain::abi::Values, std::string> pending_view(chain::rpc::RpcClient& rpc,
                                                           const Address& to,
                                                           const std::string& signature) {
  auto fn = chain::abi::parse_function(signature);
  if (!fn) return tl::unexpected(signature + ": bad signature");
  auto data = fn->encode_call(chain::abi::Values{});
  if (!data)
    return tl::unexpected(signature + ": " + std::string{chain::abi::describe(data.error())});
  auto out = rpc.eth_call({std::nullopt, to, *data, std::nullopt, std::nullopt}, "pending");
  if (!out) return tl::unexpected(signature + ": " + out.error().to_string());
  auto values = fn->decode_output(*out);
  if (!values)
    return tl::unexpected(signature + ": " + std::string{chain::abi::describe(values.error())});
  return *values;
}

std::string rpc_reason(const chain::rpc::RpcError& e) {
  return e.revert_data ? chain::abi::decode_revert(*e.revert_data).to_string() : e.to_string();
}

// anvil's published development key 0: the devnet's administrator, which transmits its prices.
constexpr std::string_view kAdminDevKey =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

// The transmit as its transmitter sends it on mainnet: signed (so that a bundle can carry its
// bytes, which anvil's impersonated sends, unsigned, could not give) and sent raw. An admin that
// is not the dev account (a fork's) is sent as an unlocked account instead.
tl::expected<chain::Hash, std::string> send_signed_by_admin(
    chain::rpc::RpcClient& rpc, const Deployment& d, const Address& to, const chain::Bytes& data,
    std::uint64_t gas, const chain::u256& max_fee, const TransmitOptions& options) {
  auto key = chain::PrivateKey::from_hex(kAdminDevKey);
  if (!key) return tl::unexpected(std::string{"the devnet's admin key does not load"});
  if (key->address() != d.admin) {
    Json tx{{"from", d.admin.lower_hex()},
            {"to", to.lower_hex()},
            {"data", chain::hex_encode(data)},
            {"gas", chain::to_hex_quantity(chain::u256{gas})},
            {"maxFeePerGas", chain::to_hex_quantity(max_fee)},
            {"maxPriorityFeePerGas", chain::to_hex_quantity(options.tip_wei)}};
    if (options.nonce) tx["nonce"] = chain::to_hex_quantity(chain::u256{*options.nonce});
    auto sent = rpc.call("eth_sendTransaction", Json::array({tx}));
    if (!sent) return tl::unexpected("transmit: " + rpc_reason(sent.error()));
    auto hash = chain::rpc::hash_of(*sent, "transactionHash");
    if (!hash) return tl::unexpected("transmit: " + hash.error().to_string());
    return *hash;
  }
  auto chain_id = rpc.chain_id();
  if (!chain_id) return tl::unexpected("chain id: " + chain_id.error().to_string());
  std::uint64_t nonce = 0;
  if (options.nonce) {
    nonce = *options.nonce;
  } else {
    auto count = rpc.transaction_count(d.admin, "pending");
    if (!count) return tl::unexpected("admin nonce: " + count.error().to_string());
    nonce = *count;
  }
  chain::Eip1559Tx tx;
  tx.chain_id = *chain_id;
  tx.nonce = nonce;
  tx.max_priority_fee_per_gas = options.tip_wei;
  tx.max_fee_per_gas = max_fee;
  tx.gas_limit = gas;
  tx.to = to;
  tx.data = data;
  auto signed_tx = chain::sign_transaction(tx, *key);
  if (!signed_tx) return tl::unexpected(std::string{"signing the transmit failed"});
  auto sent = rpc.send_raw_transaction(signed_tx->raw);
  if (!sent) return tl::unexpected("transmit: " + rpc_reason(sent.error()));
  if (sent->kind != chain::rpc::SendResult::Kind::accepted)
    return tl::unexpected("transmit refused by the node: " + sent->message);
  return signed_tx->hash;
}

}  // namespace

tl::expected<SentTransmit, std::string> send_transmit(DevChain& chain, const Deployment& d,
                                                      const DeployedAsset& asset,
                                                      const chain::i256& answer,
                                                      const TransmitOptions& options) {
  auto& rpc = chain.rpc();
  auto config = pending_view(rpc, asset.aggregator, "latestConfigDetails()(uint32,uint32,bytes32)");
  if (!config) return tl::unexpected(config.error());
  auto details = pending_view(rpc, asset.aggregator,
                              "latestTransmissionDetails()(bytes32,uint32,uint8,int192,uint64)");
  if (!details) return tl::unexpected(details.error());
  const auto epoch = static_cast<std::uint64_t>((*details)[1].as_uint());
  const auto round = static_cast<std::uint64_t>((*details)[2].as_uint());
  auto next = next_epoch_and_round((epoch << 8) | round);
  if (!next) return tl::unexpected(std::string{describe(next.error())});

  auto head = rpc.block("latest");
  if (!head) return tl::unexpected("latest block: " + head.error().to_string());
  auto observations = observations_around(answer, options.observations);
  if (!observations) return tl::unexpected(std::string{describe(observations.error())});
  Ocr2Report report;
  const auto digest = (*config)[2].as_bytes();
  if (digest.size() != report.config_digest.size())
    return tl::unexpected(std::string{"latestConfigDetails returned a malformed config digest"});
  std::copy(digest.begin(), digest.end(), report.config_digest.begin());
  report.epoch_and_round = *next;
  // The oracles observed at the chain's clock (which `devnet advance` may have moved), not ours.
  report.observations_timestamp = static_cast<std::uint32_t>(head->timestamp);
  report.observations = std::move(*observations);
  report.juels_per_fee_coin = chain::i256{200} * chain::i256{1'000'000'000'000'000'000LL};
  auto data = transmit_calldata(report);
  if (!data) return tl::unexpected(std::string{describe(data.error())});

  // A gas limit from the node's estimate, not a whole block: keeper's backruns must fit behind
  // the update in the same block.
  auto estimate = rpc.estimate_gas({d.admin, asset.aggregator, *data, std::nullopt, std::nullopt});
  if (!estimate) return tl::unexpected("transmit would fail: " + rpc_reason(estimate.error()));
  const std::uint64_t gas = *estimate + *estimate / 4;
  const chain::u256 base_fee = head->base_fee_per_gas.value_or(chain::u256{0});
  auto hash = send_signed_by_admin(rpc, d, asset.aggregator, *data, gas,
                                   base_fee * 2 + options.tip_wei, options);
  if (!hash) return tl::unexpected(hash.error());
  return SentTransmit{*hash, *next, head->number, gas};
}

tl::expected<chain::rpc::Receipt, std::string> wait_for_receipt(chain::rpc::RpcClient& rpc,
                                                                const chain::Hash& hash,
                                                                std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (int polls = 0;; ++polls) {
    auto receipt = rpc.receipt(hash);
    if (!receipt) return tl::unexpected("transmit: " + receipt.error().to_string());
    if (*receipt) {
      if (!(*receipt)->success) return tl::unexpected(std::string{"transmit reverted on chain"});
      return **receipt;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return tl::unexpected("transmit " + chain::hex_encode(hash) + " not mined in time");
    // Automine answers within milliseconds; interval mining within a block time.
    std::this_thread::sleep_for(std::chrono::milliseconds{polls < 20 ? 2 : 20});
  }
}

tl::expected<std::uint64_t, std::string> wait_for_block_after(chain::rpc::RpcClient& rpc,
                                                              std::uint64_t after,
                                                              std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    auto head = rpc.block_number();
    if (!head) return tl::unexpected("block number: " + head.error().to_string());
    if (*head > after) return *head;
    if (std::chrono::steady_clock::now() >= deadline)
      return tl::unexpected("no block after " + std::to_string(after) + " in time");
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

}  // namespace keeper::devnet
