#include "keeper/executors/bundle.hpp"

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "chain/uint256.hpp"

namespace keeper::executors {

chain::Hash transaction_hash(const chain::Bytes& raw) { return chain::keccak256(raw); }

std::string send_bundle_body(const Bundle& bundle, std::uint64_t request_id) {
  using nlohmann::json;
  json txs = json::array();
  for (const auto& raw : bundle.txs) txs.push_back(chain::hex_encode(raw));
  json params = json::object();
  params["txs"] = std::move(txs);
  params["blockNumber"] = chain::to_hex_quantity(chain::u256{bundle.block_number});
  if (bundle.min_timestamp) params["minTimestamp"] = *bundle.min_timestamp;
  if (bundle.max_timestamp) params["maxTimestamp"] = *bundle.max_timestamp;
  if (!bundle.reverting_tx_hashes.empty()) {
    json hashes = json::array();
    for (const auto& h : bundle.reverting_tx_hashes) hashes.push_back(chain::hex_encode(h));
    params["revertingTxHashes"] = std::move(hashes);
  }
  json body = json::object();
  body["jsonrpc"] = "2.0";
  body["id"] = request_id;
  body["method"] = "eth_sendBundle";
  body["params"] = json::array({std::move(params)});
  return body.dump();
}

}  // namespace keeper::executors
