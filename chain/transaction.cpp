#include "chain/transaction.hpp"

#include "chain/keccak.hpp"

namespace chain {
namespace {

constexpr std::uint8_t kEip1559Type = 0x02;

void encode_to(Bytes& out, const std::optional<Address>& to) {
  if (to) {
    rlp::encode_bytes(out, to->view());
  } else {
    rlp::encode_bytes(out, {});
  }
}

void encode_access_list(Bytes& out, const std::vector<AccessListEntry>& list) {
  Bytes entries;
  for (const auto& entry : list) {
    Bytes fields;
    rlp::encode_bytes(fields, entry.address.view());
    Bytes keys;
    for (const auto& key : entry.storage_keys) rlp::encode_bytes(keys, key);
    rlp::encode_list_payload(fields, keys);
    rlp::encode_list_payload(entries, fields);
  }
  rlp::encode_list_payload(out, entries);
}

// The fields both the signing payload and the signed encoding start with.
Bytes legacy_fields(const LegacyTx& tx) {
  Bytes f;
  rlp::encode_uint(f, tx.nonce);
  rlp::encode_uint(f, tx.gas_price);
  rlp::encode_uint(f, tx.gas_limit);
  encode_to(f, tx.to);
  rlp::encode_uint(f, tx.value);
  rlp::encode_bytes(f, tx.data);
  return f;
}

Bytes eip1559_fields(const Eip1559Tx& tx) {
  Bytes f;
  rlp::encode_uint(f, tx.chain_id);
  rlp::encode_uint(f, tx.nonce);
  rlp::encode_uint(f, tx.max_priority_fee_per_gas);
  rlp::encode_uint(f, tx.max_fee_per_gas);
  rlp::encode_uint(f, tx.gas_limit);
  encode_to(f, tx.to);
  rlp::encode_uint(f, tx.value);
  rlp::encode_bytes(f, tx.data);
  encode_access_list(f, tx.access_list);
  return f;
}

Bytes typed(std::uint8_t type, const Bytes& fields) {
  Bytes out{type};
  rlp::encode_list_payload(out, fields);
  return out;
}

tl::expected<std::optional<Address>, TxError> decode_to(const rlp::Item& item) {
  if (item.is_list) return tl::unexpected(TxError::bad_field);
  if (item.payload.empty()) return std::optional<Address>{};
  if (item.payload.size() != 20) return tl::unexpected(TxError::bad_field);
  Address a;
  std::copy(item.payload.begin(), item.payload.end(), a.bytes.begin());
  return std::optional<Address>{a};
}

tl::expected<std::vector<AccessListEntry>, TxError> decode_access_list(const rlp::Item& item) {
  auto entries = rlp::list_items(item);
  if (!entries) return tl::unexpected(TxError::bad_field);
  std::vector<AccessListEntry> out;
  for (const auto& e : *entries) {
    auto fields = rlp::list_items(e);
    if (!fields || fields->size() != 2 || (*fields)[0].is_list || (*fields)[0].payload.size() != 20)
      return tl::unexpected(TxError::bad_field);
    AccessListEntry entry;
    std::copy((*fields)[0].payload.begin(), (*fields)[0].payload.end(),
              entry.address.bytes.begin());
    auto keys = rlp::list_items((*fields)[1]);
    if (!keys) return tl::unexpected(TxError::bad_field);
    for (const auto& k : *keys) {
      if (k.is_list || k.payload.size() != 32) return tl::unexpected(TxError::bad_field);
      Hash h;
      std::copy(k.payload.begin(), k.payload.end(), h.begin());
      entry.storage_keys.push_back(h);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

// Reads integer fields in order, failing on the first bad one.
class FieldReader {
 public:
  explicit FieldReader(const std::vector<rlp::Item>& items) : items_{items} {}
  bool ok = true;
  const rlp::Item& next() { return items_[pos_++]; }
  std::uint64_t u64() {
    auto v = rlp::to_u64(next());
    ok = ok && v.has_value();
    return v.value_or(0);
  }
  u256 big() {
    auto v = rlp::to_u256(next());
    ok = ok && v.has_value();
    return v.value_or(u256{0});
  }
  Bytes bytes() {
    const auto& item = next();
    ok = ok && !item.is_list;
    return Bytes(item.payload.begin(), item.payload.end());
  }

 private:
  const std::vector<rlp::Item>& items_;
  std::size_t pos_ = 0;
};

tl::expected<SignedTx, TxError> decode_legacy(BytesView raw) {
  auto top = rlp::decode_strict(raw);
  if (!top || !top->is_list) return tl::unexpected(TxError::bad_rlp);
  auto items = rlp::list_items(*top);
  if (!items) return tl::unexpected(TxError::bad_rlp);
  if (items->size() != 9) return tl::unexpected(TxError::wrong_field_count);
  FieldReader r{*items};
  LegacyTx tx;
  tx.nonce = r.u64();
  tx.gas_price = r.big();
  tx.gas_limit = r.u64();
  auto to = decode_to(r.next());
  if (!to) return tl::unexpected(to.error());
  tx.to = *to;
  tx.value = r.big();
  tx.data = r.bytes();
  const std::uint64_t v = r.u64();
  Signature sig;
  sig.r = r.big();
  sig.s = r.big();
  if (!r.ok) return tl::unexpected(TxError::bad_field);
  if (v == 27 || v == 28) {
    sig.y_parity = static_cast<std::uint8_t>(v - 27);
  } else if (v >= 35) {
    tx.chain_id = (v - 35) / 2;
    sig.y_parity = static_cast<std::uint8_t>((v - 35) % 2);
  } else {
    return tl::unexpected(TxError::bad_signature);
  }
  return SignedTx{tx, sig, Bytes(raw.begin(), raw.end()), keccak256(raw)};
}

tl::expected<SignedTx, TxError> decode_eip1559(BytesView raw) {
  auto top = rlp::decode_strict(raw.subspan(1));
  if (!top || !top->is_list) return tl::unexpected(TxError::bad_rlp);
  auto items = rlp::list_items(*top);
  if (!items) return tl::unexpected(TxError::bad_rlp);
  if (items->size() != 12) return tl::unexpected(TxError::wrong_field_count);
  FieldReader r{*items};
  Eip1559Tx tx;
  tx.chain_id = r.u64();
  tx.nonce = r.u64();
  tx.max_priority_fee_per_gas = r.big();
  tx.max_fee_per_gas = r.big();
  tx.gas_limit = r.u64();
  auto to = decode_to(r.next());
  if (!to) return tl::unexpected(to.error());
  tx.to = *to;
  tx.value = r.big();
  tx.data = r.bytes();
  auto access = decode_access_list(r.next());
  if (!access) return tl::unexpected(access.error());
  tx.access_list = std::move(*access);
  const std::uint64_t parity = r.u64();
  Signature sig;
  sig.r = r.big();
  sig.s = r.big();
  if (!r.ok) return tl::unexpected(TxError::bad_field);
  if (parity > 1) return tl::unexpected(TxError::bad_signature);
  sig.y_parity = static_cast<std::uint8_t>(parity);
  return SignedTx{tx, sig, Bytes(raw.begin(), raw.end()), keccak256(raw)};
}

}  // namespace

std::string_view describe(TxError e) noexcept {
  switch (e) {
    case TxError::bad_rlp: return "transaction is not valid canonical RLP";
    case TxError::unsupported_type: return "transaction type is not supported";
    case TxError::wrong_field_count: return "transaction has the wrong number of fields";
    case TxError::bad_field: return "transaction field has an invalid value";
    case TxError::bad_signature: return "transaction signature values are invalid";
    case TxError::chain_id_mismatch: return "transaction chain id does not match";
  }
  return "unknown transaction error";
}

Hash signing_hash(const UnsignedTx& tx) {
  if (const auto* legacy = std::get_if<LegacyTx>(&tx)) {
    Bytes fields = legacy_fields(*legacy);
    if (legacy->chain_id != 0) {  // EIP-155: chain id, 0, 0
      rlp::encode_uint(fields, legacy->chain_id);
      rlp::encode_uint(fields, std::uint64_t{0});
      rlp::encode_uint(fields, std::uint64_t{0});
    }
    Bytes out;
    rlp::encode_list_payload(out, fields);
    return keccak256(out);
  }
  return keccak256(typed(kEip1559Type, eip1559_fields(std::get<Eip1559Tx>(tx))));
}

Bytes encode_signed(const UnsignedTx& tx, const Signature& sig) {
  if (const auto* legacy = std::get_if<LegacyTx>(&tx)) {
    Bytes fields = legacy_fields(*legacy);
    const std::uint64_t v =
        legacy->chain_id != 0 ? legacy->chain_id * 2 + 35 + sig.y_parity : 27u + sig.y_parity;
    rlp::encode_uint(fields, v);
    rlp::encode_uint(fields, sig.r);
    rlp::encode_uint(fields, sig.s);
    Bytes out;
    rlp::encode_list_payload(out, fields);
    return out;
  }
  Bytes fields = eip1559_fields(std::get<Eip1559Tx>(tx));
  rlp::encode_uint(fields, std::uint64_t{sig.y_parity});
  rlp::encode_uint(fields, sig.r);
  rlp::encode_uint(fields, sig.s);
  return typed(kEip1559Type, fields);
}

tl::expected<SignedTx, SignerError> sign_transaction(const UnsignedTx& tx, const PrivateKey& key) {
  auto sig = key.sign(signing_hash(tx));
  if (!sig) return tl::unexpected(sig.error());
  SignedTx out{tx, *sig, encode_signed(tx, *sig), {}};
  out.hash = keccak256(out.raw);
  return out;
}

tl::expected<SignedTx, TxError> decode_signed(BytesView raw) {
  if (raw.empty()) return tl::unexpected(TxError::bad_rlp);
  if (raw[0] >= 0xc0) return decode_legacy(raw);
  if (raw[0] == kEip1559Type) return decode_eip1559(raw);
  return tl::unexpected(TxError::unsupported_type);
}

tl::expected<Address, SignerError> recover_sender(const SignedTx& signed_tx) {
  return recover_address(signing_hash(signed_tx.tx), signed_tx.signature);
}

}  // namespace chain
