#include "chain/rpc/json_codec.hpp"

#include "chain/hex.hpp"

namespace chain::rpc {
namespace {

RpcError bad(std::string_view field, std::string_view why) {
  return RpcError::of(RpcErrorKind::malformed, std::string{field} + ": " + std::string{why});
}

const Json* member(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

template <class T, class F>
Parsed<T> required(const Json& obj, const char* key, F&& parse) {
  const Json* m = member(obj, key);
  if (m == nullptr || m->is_null()) return tl::unexpected(bad(key, "missing"));
  return parse(*m, key);
}

// Absent or null is nullopt; present must parse.
template <class T, class F>
Parsed<std::optional<T>> optional_field(const Json& obj, const char* key, F&& parse) {
  const Json* m = member(obj, key);
  if (m == nullptr || m->is_null()) return std::optional<T>{};
  auto parsed = parse(*m, key);
  if (!parsed) return tl::unexpected(parsed.error());
  return std::optional<T>{std::move(*parsed)};
}

}  // namespace

Parsed<u256> quantity_u256(const Json& v, std::string_view field) {
  if (!v.is_string()) return tl::unexpected(bad(field, "quantity is not a string"));
  auto n = u256_from_hex(v.get_ref<const std::string&>());
  if (!n) return tl::unexpected(bad(field, describe(n.error())));
  return *n;
}

Parsed<std::uint64_t> quantity_u64(const Json& v, std::string_view field) {
  auto n = quantity_u256(v, field);
  if (!n) return tl::unexpected(n.error());
  if (!fits_u64(*n)) return tl::unexpected(bad(field, "quantity exceeds 64 bits"));
  return low_u64(*n);
}

Parsed<Address> address_of(const Json& v, std::string_view field) {
  if (!v.is_string()) return tl::unexpected(bad(field, "address is not a string"));
  auto a = Address::from_hex(v.get_ref<const std::string&>());
  if (!a) return tl::unexpected(bad(field, describe(a.error())));
  return *a;
}

Parsed<Hash> hash_of(const Json& v, std::string_view field) {
  if (!v.is_string()) return tl::unexpected(bad(field, "hash is not a string"));
  auto h = hex_decode_fixed<32>(v.get_ref<const std::string&>());
  if (!h) return tl::unexpected(bad(field, describe(h.error())));
  return *h;
}

Parsed<Bytes> data_of(const Json& v, std::string_view field) {
  if (!v.is_string()) return tl::unexpected(bad(field, "data is not a string"));
  auto b = hex_decode(v.get_ref<const std::string&>());
  if (!b) return tl::unexpected(bad(field, describe(b.error())));
  return *b;
}

Parsed<BlockHeader> block_header_from_json(const Json& v) {
  if (!v.is_object()) return tl::unexpected(bad("block", "not an object"));
  BlockHeader h;
  auto number = required<std::uint64_t>(v, "number", quantity_u64);
  auto hash = required<Hash>(v, "hash", hash_of);
  auto parent = required<Hash>(v, "parentHash", hash_of);
  auto timestamp = required<std::uint64_t>(v, "timestamp", quantity_u64);
  if (!number) return tl::unexpected(number.error());
  if (!hash) return tl::unexpected(hash.error());
  if (!parent) return tl::unexpected(parent.error());
  if (!timestamp) return tl::unexpected(timestamp.error());
  h.number = *number;
  h.hash = *hash;
  h.parent_hash = *parent;
  h.timestamp = *timestamp;
  if (const Json* fee = member(v, "baseFeePerGas"); fee != nullptr && !fee->is_null()) {
    auto f = quantity_u256(*fee, "baseFeePerGas");
    if (!f) return tl::unexpected(f.error());
    h.base_fee_per_gas = *f;
  }
  for (const auto& [field, out] : {std::pair{"gasUsed", &h.gas_used}, {"gasLimit", &h.gas_limit}}) {
    const Json* q = member(v, field);
    if (q == nullptr) continue;
    auto n = quantity_u64(*q, field);
    if (!n) return tl::unexpected(n.error());
    *out = *n;
  }
  return h;
}

Parsed<Log> log_from_json(const Json& v) {
  if (!v.is_object()) return tl::unexpected(bad("log", "not an object"));
  Log log;
  auto address = required<Address>(v, "address", address_of);
  auto data = required<Bytes>(v, "data", data_of);
  if (!address) return tl::unexpected(address.error());
  if (!data) return tl::unexpected(data.error());
  log.address = *address;
  log.data = std::move(*data);
  const Json* topics = member(v, "topics");
  if (topics == nullptr || !topics->is_array() || topics->size() > 4)
    return tl::unexpected(bad("topics", "missing or not an array of at most 4"));
  for (const auto& t : *topics) {
    auto h = hash_of(t, "topics");
    if (!h) return tl::unexpected(h.error());
    log.topics.push_back(*h);
  }
  // Pending logs lack block fields; keeper only asks for mined ones, so they are required.
  auto block_number = required<std::uint64_t>(v, "blockNumber", quantity_u64);
  auto block_hash = required<Hash>(v, "blockHash", hash_of);
  auto tx_hash = required<Hash>(v, "transactionHash", hash_of);
  auto tx_index = required<std::uint64_t>(v, "transactionIndex", quantity_u64);
  auto log_index = required<std::uint64_t>(v, "logIndex", quantity_u64);
  if (!block_number) return tl::unexpected(block_number.error());
  if (!block_hash) return tl::unexpected(block_hash.error());
  if (!tx_hash) return tl::unexpected(tx_hash.error());
  if (!tx_index) return tl::unexpected(tx_index.error());
  if (!log_index) return tl::unexpected(log_index.error());
  log.block_number = *block_number;
  log.block_hash = *block_hash;
  log.transaction_hash = *tx_hash;
  log.transaction_index = *tx_index;
  log.log_index = *log_index;
  if (const Json* removed = member(v, "removed"); removed != nullptr) {
    if (!removed->is_boolean()) return tl::unexpected(bad("removed", "not a boolean"));
    log.removed = removed->get<bool>();
  }
  return log;
}

Parsed<std::vector<Log>> logs_from_json(const Json& v) {
  if (!v.is_array()) return tl::unexpected(bad("logs", "not an array"));
  std::vector<Log> logs;
  logs.reserve(v.size());
  for (const auto& item : v) {
    auto log = log_from_json(item);
    if (!log) return tl::unexpected(log.error());
    logs.push_back(std::move(*log));
  }
  return logs;
}

Parsed<Receipt> receipt_from_json(const Json& v) {
  if (!v.is_object()) return tl::unexpected(bad("receipt", "not an object"));
  Receipt r;
  auto tx_hash = required<Hash>(v, "transactionHash", hash_of);
  auto status = required<std::uint64_t>(v, "status", quantity_u64);
  auto gas_used = required<std::uint64_t>(v, "gasUsed", quantity_u64);
  auto price = required<u256>(v, "effectiveGasPrice", quantity_u256);
  auto block_number = required<std::uint64_t>(v, "blockNumber", quantity_u64);
  auto block_hash = required<Hash>(v, "blockHash", hash_of);
  if (!tx_hash) return tl::unexpected(tx_hash.error());
  if (!status) return tl::unexpected(status.error());
  if (!gas_used) return tl::unexpected(gas_used.error());
  if (!price) return tl::unexpected(price.error());
  if (!block_number) return tl::unexpected(block_number.error());
  if (!block_hash) return tl::unexpected(block_hash.error());
  if (*status > 1) return tl::unexpected(bad("status", "neither 0 nor 1"));
  r.transaction_hash = *tx_hash;
  r.success = *status == 1;
  r.gas_used = *gas_used;
  r.effective_gas_price = *price;
  r.block_number = *block_number;
  r.block_hash = *block_hash;
  if (const Json* ca = member(v, "contractAddress"); ca != nullptr && !ca->is_null()) {
    auto a = address_of(*ca, "contractAddress");
    if (!a) return tl::unexpected(a.error());
    r.contract_address = *a;
  }
  if (const Json* logs = member(v, "logs"); logs != nullptr) {
    auto parsed = logs_from_json(*logs);
    if (!parsed) return tl::unexpected(parsed.error());
    r.logs = std::move(*parsed);
  }
  return r;
}

Parsed<FeeHistory> fee_history_from_json(const Json& v) {
  if (!v.is_object()) return tl::unexpected(bad("feeHistory", "not an object"));
  FeeHistory h;
  auto oldest = required<std::uint64_t>(v, "oldestBlock", quantity_u64);
  if (!oldest) return tl::unexpected(oldest.error());
  h.oldest_block = *oldest;
  const Json* fees = member(v, "baseFeePerGas");
  if (fees == nullptr || !fees->is_array())
    return tl::unexpected(bad("baseFeePerGas", "not an array"));
  for (const auto& f : *fees) {
    auto q = quantity_u256(f, "baseFeePerGas");
    if (!q) return tl::unexpected(q.error());
    h.base_fee_per_gas.push_back(*q);
  }
  if (const Json* ratios = member(v, "gasUsedRatio"); ratios != nullptr && ratios->is_array()) {
    for (const auto& r : *ratios) {
      if (!r.is_number()) return tl::unexpected(bad("gasUsedRatio", "not a number"));
      h.gas_used_ratio.push_back(r.get<double>());
    }
  }
  if (const Json* rewards = member(v, "reward"); rewards != nullptr && rewards->is_array()) {
    for (const auto& block : *rewards) {
      if (!block.is_array()) return tl::unexpected(bad("reward", "not an array of arrays"));
      std::vector<u256> row;
      for (const auto& r : block) {
        auto q = quantity_u256(r, "reward");
        if (!q) return tl::unexpected(q.error());
        row.push_back(*q);
      }
      h.reward.push_back(std::move(row));
    }
  }
  return h;
}

namespace {

// The signature and typed-transaction fields, each optional: a node that leaves them out still
// gives a usable pending transaction, only not one keeper can rebuild.
Parsed<bool> read_signature_fields(const Json& v, PendingTransaction& tx) {
  auto chain_id = optional_field<std::uint64_t>(v, "chainId", quantity_u64);
  auto sig_v = optional_field<u256>(v, "v", quantity_u256);
  auto sig_r = optional_field<u256>(v, "r", quantity_u256);
  auto sig_s = optional_field<u256>(v, "s", quantity_u256);
  if (!chain_id) return tl::unexpected(chain_id.error());
  if (!sig_v) return tl::unexpected(sig_v.error());
  if (!sig_r) return tl::unexpected(sig_r.error());
  if (!sig_s) return tl::unexpected(sig_s.error());
  tx.chain_id = *chain_id;
  tx.v = *sig_v;
  tx.r = *sig_r;
  tx.s = *sig_s;
  if (const Json* parity = member(v, "yParity"); parity != nullptr && !parity->is_null()) {
    auto y = quantity_u256(*parity, "yParity");
    if (!y) return tl::unexpected(y.error());
    tx.v = *y;  // typed transactions: yParity is the v that counts
  }
  const Json* list = member(v, "accessList");
  if (list == nullptr || list->is_null()) return true;
  if (!list->is_array()) return tl::unexpected(bad("accessList", "not an array"));
  for (const auto& entry : *list) {
    auto address = required<Address>(entry, "address", address_of);
    if (!address) return tl::unexpected(address.error());
    std::vector<Hash> keys;
    if (const Json* k = member(entry, "storageKeys"); k != nullptr) {
      if (!k->is_array()) return tl::unexpected(bad("storageKeys", "not an array"));
      for (const auto& key : *k) {
        auto h = hash_of(key, "storageKeys");
        if (!h) return tl::unexpected(h.error());
        keys.push_back(*h);
      }
    }
    tx.access_list.emplace_back(*address, std::move(keys));
  }
  return true;
}

}  // namespace

Parsed<PendingTransaction> pending_transaction_from_json(const Json& v) {
  if (!v.is_object()) return tl::unexpected(bad("transaction", "not an object"));
  PendingTransaction tx;
  auto hash = required<Hash>(v, "hash", hash_of);
  auto from = required<Address>(v, "from", address_of);
  auto to = optional_field<Address>(v, "to", address_of);
  auto nonce = required<std::uint64_t>(v, "nonce", quantity_u64);
  auto input = required<Bytes>(v, "input", data_of);
  auto value = required<u256>(v, "value", quantity_u256);
  auto gas = required<std::uint64_t>(v, "gas", quantity_u64);
  // Nodes from before typed transactions (EIP-2718) omit `type`: those are all legacy.
  auto type = optional_field<std::uint64_t>(v, "type", quantity_u64);
  auto gas_price = optional_field<u256>(v, "gasPrice", quantity_u256);
  auto max_fee = optional_field<u256>(v, "maxFeePerGas", quantity_u256);
  auto max_priority = optional_field<u256>(v, "maxPriorityFeePerGas", quantity_u256);
  if (!hash) return tl::unexpected(hash.error());
  if (!from) return tl::unexpected(from.error());
  if (!to) return tl::unexpected(to.error());
  if (!nonce) return tl::unexpected(nonce.error());
  if (!input) return tl::unexpected(input.error());
  if (!value) return tl::unexpected(value.error());
  if (!gas) return tl::unexpected(gas.error());
  if (!type) return tl::unexpected(type.error());
  if (!gas_price) return tl::unexpected(gas_price.error());
  if (!max_fee) return tl::unexpected(max_fee.error());
  if (!max_priority) return tl::unexpected(max_priority.error());
  if (type->value_or(0) > 0xff) return tl::unexpected(bad("type", "exceeds one byte"));
  tx.hash = *hash;
  tx.from = *from;
  tx.to = *to;
  tx.nonce = *nonce;
  tx.input = std::move(*input);
  tx.value = *value;
  tx.gas = *gas;
  tx.type = static_cast<std::uint8_t>(type->value_or(0));
  tx.gas_price = *gas_price;
  tx.max_fee_per_gas = *max_fee;
  tx.max_priority_fee_per_gas = *max_priority;
  // The fee fields a known type must carry; without them its tip cannot be judged. Types keeper
  // does not know (L2 deposits, future ones) are kept with whatever fees they name.
  const bool legacy_fees = tx.type == 0 || tx.type == 1;
  const bool dynamic_fees = tx.type >= 2 && tx.type <= 4;
  if (legacy_fees && !tx.gas_price) return tl::unexpected(bad("gasPrice", "missing"));
  if (dynamic_fees && !tx.max_fee_per_gas) return tl::unexpected(bad("maxFeePerGas", "missing"));
  if (dynamic_fees && !tx.max_priority_fee_per_gas)
    return tl::unexpected(bad("maxPriorityFeePerGas", "missing"));
  if (auto ok = read_signature_fields(v, tx); !ok) return tl::unexpected(ok.error());
  return tx;
}

std::string block_tag(std::uint64_t number) { return to_hex_quantity(u256{number}); }

Json to_json(const LogFilter& filter) {
  Json out = Json::object();
  if (filter.from_block) out["fromBlock"] = block_tag(*filter.from_block);
  if (filter.to_block) out["toBlock"] = block_tag(*filter.to_block);
  if (!filter.addresses.empty()) {
    Json addresses = Json::array();
    for (const auto& a : filter.addresses) addresses.push_back(a.lower_hex());
    out["address"] = addresses;
  }
  if (!filter.topics.empty()) {
    Json topics = Json::array();
    for (const auto& alternatives : filter.topics) {
      if (alternatives.empty()) {
        topics.push_back(nullptr);
        continue;
      }
      Json any = Json::array();
      for (const auto& t : alternatives) any.push_back(hex_encode(t));
      topics.push_back(any);
    }
    out["topics"] = topics;
  }
  return out;
}

}  // namespace chain::rpc
