// The typed eth_* calls of RpcClient.
#include <algorithm>
#include <cctype>

#include "chain/hex.hpp"
#include "chain/rpc/json_codec.hpp"
#include "chain/rpc/rpc_client.hpp"

namespace chain::rpc {
namespace {

template <class T, class F>
tl::expected<T, RpcError> then(tl::expected<Json, RpcError> result, F&& parse) {
  if (!result) return tl::unexpected(result.error());
  return parse(*result);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

Json to_json(const BlockTag& tag) {
  if (const auto* n = std::get_if<std::uint64_t>(&tag)) return block_tag(*n);
  return std::get<std::string>(tag);
}

Json to_json(const CallRequest& req) {
  Json out{{"to", req.to.lower_hex()}, {"data", hex_encode(req.data)}};
  if (req.from) out["from"] = req.from->lower_hex();
  if (req.value) out["value"] = to_hex_quantity(*req.value);
  if (req.gas) out["gas"] = block_tag(*req.gas);
  return out;
}

tl::expected<std::uint64_t, RpcError> RpcClient::chain_id() {
  return then<std::uint64_t>(call("eth_chainId", Json::array()),
                             [](const Json& v) { return quantity_u64(v, "chainId"); });
}

tl::expected<std::uint64_t, RpcError> RpcClient::block_number() {
  return then<std::uint64_t>(call("eth_blockNumber", Json::array()),
                             [](const Json& v) { return quantity_u64(v, "blockNumber"); });
}

tl::expected<BlockHeader, RpcError> RpcClient::block(const BlockTag& tag) {
  return then<BlockHeader>(
      call("eth_getBlockByNumber", Json::array({to_json(tag), false})),
      [](const Json& v) -> Parsed<BlockHeader> {
        if (v.is_null())
          return tl::unexpected(RpcError::of(RpcErrorKind::malformed, "no such block"));
        return block_header_from_json(v);
      });
}

tl::expected<Bytes, RpcError> RpcClient::eth_call(const CallRequest& req, const BlockTag& tag,
                                                  const Json& overrides) {
  Json params = Json::array({to_json(req), to_json(tag)});
  if (!overrides.is_null()) params.push_back(overrides);
  return then<Bytes>(call("eth_call", std::move(params)),
                     [](const Json& v) { return data_of(v, "result"); });
}

tl::expected<std::uint64_t, RpcError> RpcClient::estimate_gas(const CallRequest& req) {
  return then<std::uint64_t>(call("eth_estimateGas", Json::array({to_json(req)})),
                             [](const Json& v) { return quantity_u64(v, "gas"); });
}

tl::expected<std::uint64_t, RpcError> RpcClient::transaction_count(const Address& account,
                                                                   const BlockTag& tag) {
  return then<std::uint64_t>(
      call("eth_getTransactionCount", Json::array({account.lower_hex(), to_json(tag)})),
      [](const Json& v) { return quantity_u64(v, "nonce"); });
}

tl::expected<u256, RpcError> RpcClient::balance(const Address& account, const BlockTag& tag) {
  return then<u256>(call("eth_getBalance", Json::array({account.lower_hex(), to_json(tag)})),
                    [](const Json& v) { return quantity_u256(v, "balance"); });
}

tl::expected<Bytes, RpcError> RpcClient::code(const Address& account, const BlockTag& tag) {
  return then<Bytes>(call("eth_getCode", Json::array({account.lower_hex(), to_json(tag)})),
                     [](const Json& v) { return data_of(v, "code"); });
}

tl::expected<Hash, RpcError> RpcClient::storage_at(const Address& account, const u256& slot,
                                                   const BlockTag& tag) {
  return then<Hash>(call("eth_getStorageAt",
                         Json::array({account.lower_hex(), to_hex_quantity(slot), to_json(tag)})),
                    [](const Json& v) { return hash_of(v, "storage"); });
}

tl::expected<SendResult, RpcError> send_result(const tl::expected<Json, RpcError>& result) {
  if (result) {
    auto hash = hash_of(*result, "transactionHash");
    if (!hash) return tl::unexpected(hash.error());
    return SendResult{SendResult::Kind::accepted, *hash, {}};
  }
  const RpcError& e = result.error();
  if (e.kind != RpcErrorKind::rpc_error) return tl::unexpected(e);
  // Node wording differs (geth, erigon, reth, anvil); match the stable fragments.
  const std::string m = lower(e.message);
  const auto has = [&](std::string_view s) { return m.find(s) != std::string::npos; };
  SendResult r{SendResult::Kind::rejected, {}, e.message};
  if (has("already known") || has("already imported") || has("known transaction")) {
    r.kind = SendResult::Kind::already_known;
  } else if (has("nonce too low") || has("nonce is too low") || has("invalid nonce")) {
    r.kind = SendResult::Kind::nonce_too_low;
  } else if (has("underpriced") || has("fee too low") ||
             has("max fee per gas less than block base fee")) {
    r.kind = SendResult::Kind::underpriced;
  }
  return r;
}

tl::expected<SendResult, RpcError> RpcClient::send_raw_transaction(BytesView raw) {
  return send_result(call("eth_sendRawTransaction", Json::array({hex_encode(raw)})));
}

tl::expected<std::vector<tl::expected<SendResult, RpcError>>, RpcError>
RpcClient::send_raw_transactions(const std::vector<Bytes>& raws) {
  std::vector<Call> calls;
  calls.reserve(raws.size());
  for (const auto& raw : raws)
    calls.push_back({"eth_sendRawTransaction", Json::array({hex_encode(raw)})});
  auto answers = batch(calls);
  if (!answers) return tl::unexpected(answers.error());
  std::vector<tl::expected<SendResult, RpcError>> out;
  out.reserve(answers->size());
  for (const auto& a : *answers) out.push_back(send_result(a));
  return out;
}

tl::expected<std::optional<Receipt>, RpcError> RpcClient::receipt(const Hash& tx_hash) {
  return then<std::optional<Receipt>>(
      call("eth_getTransactionReceipt", Json::array({hex_encode(tx_hash)})),
      [](const Json& v) -> Parsed<std::optional<Receipt>> {
        if (v.is_null()) return std::optional<Receipt>{};
        auto r = receipt_from_json(v);
        if (!r) return tl::unexpected(r.error());
        return std::optional<Receipt>{std::move(*r)};
      });
}

tl::expected<FeeHistory, RpcError> RpcClient::fee_history(std::uint64_t blocks,
                                                          const BlockTag& newest,
                                                          const std::vector<double>& percentiles) {
  return then<FeeHistory>(
      call("eth_feeHistory", Json::array({block_tag(blocks), to_json(newest), percentiles})),
      [](const Json& v) { return fee_history_from_json(v); });
}

tl::expected<u256, RpcError> RpcClient::max_priority_fee_per_gas() {
  return then<u256>(call("eth_maxPriorityFeePerGas", Json::array()),
                    [](const Json& v) { return quantity_u256(v, "maxPriorityFeePerGas"); });
}

tl::expected<std::vector<Log>, RpcError> RpcClient::logs(const LogFilter& filter) {
  return then<std::vector<Log>>(call("eth_getLogs", Json::array({to_json(filter)})),
                                [](const Json& v) { return logs_from_json(v); });
}

}  // namespace chain::rpc
