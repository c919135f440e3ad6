#include "keeper/ofa/mev_share_hint.hpp"

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"

namespace keeper::ofa {

namespace {

using nlohmann::json;

// A field that may be absent or null (the sender did not share it).
const json* present(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

tl::expected<chain::Address, HintError> address_of(const json& v, HintError error) {
  if (!v.is_string()) return tl::unexpected(error);
  auto a = chain::Address::from_hex(v.get_ref<const std::string&>());
  if (!a) return tl::unexpected(error);
  return *a;
}

template <std::size_t N>
tl::expected<chain::FixedBytes<N>, HintError> fixed_of(const json& v, HintError error) {
  if (!v.is_string()) return tl::unexpected(error);
  auto b = chain::hex_decode_fixed<N>(v.get_ref<const std::string&>());
  if (!b) return tl::unexpected(error);
  return *b;
}

tl::expected<chain::Bytes, HintError> bytes_of(const json& v, HintError error) {
  if (!v.is_string()) return tl::unexpected(error);
  auto b = chain::hex_decode(v.get_ref<const std::string&>());
  if (!b) return tl::unexpected(error);
  return std::move(*b);
}

tl::expected<HintTx, HintError> tx_of(const json& v) {
  if (!v.is_object()) return tl::unexpected(HintError::bad_txs);
  HintTx tx;
  constexpr auto bad = HintError::bad_tx_field;
  if (const json* to = present(v, "to")) {
    auto a = address_of(*to, bad);
    if (!a) return tl::unexpected(a.error());
    tx.to = *a;
  }
  if (const json* selector = present(v, "functionSelector")) {
    auto s = fixed_of<4>(*selector, bad);
    if (!s) return tl::unexpected(s.error());
    tx.function_selector = *s;
  }
  if (const json* data = present(v, "callData")) {
    auto d = bytes_of(*data, bad);
    if (!d) return tl::unexpected(d.error());
    tx.call_data = std::move(*d);
  }
  if (const json* hash = present(v, "hash")) {
    auto h = fixed_of<32>(*hash, bad);
    if (!h) return tl::unexpected(h.error());
    tx.hash = *h;
  }
  return tx;
}

tl::expected<HintLog, HintError> log_of(const json& v) {
  if (!v.is_object()) return tl::unexpected(HintError::bad_logs);
  constexpr auto bad = HintError::bad_log_field;
  HintLog log;
  const json* address = present(v, "address");
  if (!address) return tl::unexpected(bad);
  auto a = address_of(*address, bad);
  if (!a) return tl::unexpected(a.error());
  log.address = *a;
  if (const json* topics = present(v, "topics")) {
    if (!topics->is_array()) return tl::unexpected(bad);
    if (topics->size() > kMaxLogTopics) return tl::unexpected(HintError::too_many_items);
    for (const auto& t : *topics) {
      auto topic = fixed_of<32>(t, bad);
      if (!topic) return tl::unexpected(topic.error());
      log.topics.push_back(*topic);
    }
  }
  if (const json* data = present(v, "data")) {
    auto d = bytes_of(*data, bad);
    if (!d) return tl::unexpected(d.error());
    log.data = std::move(*d);
  }
  return log;
}

tl::expected<chain::u256, HintError> quantity_of(const json& v) {
  if (!v.is_string()) return tl::unexpected(HintError::bad_gas);
  auto q = chain::u256_from_hex(v.get_ref<const std::string&>());
  if (!q) return tl::unexpected(HintError::bad_gas);
  return *q;
}

}  // namespace

std::string_view describe(HintError e) noexcept {
  switch (e) {
    case HintError::not_json: return "not JSON";
    case HintError::not_an_object: return "not a JSON object";
    case HintError::bad_hash: return "hash is missing or not 32 bytes of hex";
    case HintError::bad_txs: return "txs is not a list of objects";
    case HintError::bad_tx_field:
      return "a transaction's to, functionSelector, callData or hash is malformed";
    case HintError::bad_logs: return "logs is not a list of objects";
    case HintError::bad_log_field: return "a log's address, topics or data is malformed";
    case HintError::bad_gas: return "mevGasPrice or gasUsed is not a hex quantity";
    case HintError::too_many_items:
      return "more transactions, logs or topics than an event carries";
  }
  return "unknown hint error";
}

tl::expected<Hint, HintError> parse_hint(std::string_view json_text) {
  const json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return tl::unexpected(HintError::not_json);
  if (!root.is_object()) return tl::unexpected(HintError::not_an_object);
  Hint hint;
  const json* hash = present(root, "hash");
  if (!hash) return tl::unexpected(HintError::bad_hash);
  auto h = fixed_of<32>(*hash, HintError::bad_hash);
  if (!h) return tl::unexpected(h.error());
  hint.hash = *h;

  if (const json* txs = present(root, "txs")) {
    if (!txs->is_array()) return tl::unexpected(HintError::bad_txs);
    if (txs->size() > kMaxHintTxs) return tl::unexpected(HintError::too_many_items);
    for (const auto& v : *txs) {
      auto tx = tx_of(v);
      if (!tx) return tl::unexpected(tx.error());
      hint.txs.push_back(std::move(*tx));
    }
  }
  if (const json* logs = present(root, "logs")) {
    if (!logs->is_array()) return tl::unexpected(HintError::bad_logs);
    if (logs->size() > kMaxHintLogs) return tl::unexpected(HintError::too_many_items);
    for (const auto& v : *logs) {
      auto log = log_of(v);
      if (!log) return tl::unexpected(log.error());
      hint.logs.push_back(std::move(*log));
    }
  }
  if (const json* price = present(root, "mevGasPrice")) {
    auto q = quantity_of(*price);
    if (!q) return tl::unexpected(q.error());
    hint.mev_gas_price = *q;
  }
  if (const json* gas = present(root, "gasUsed")) {
    auto q = quantity_of(*gas);
    if (!q) return tl::unexpected(q.error());
    if (!chain::fits_u64(*q)) return tl::unexpected(HintError::bad_gas);
    hint.gas_used = chain::low_u64(*q);
  }
  return hint;
}

}  // namespace keeper::ofa
