#include "chain/rpc/raw_transaction.hpp"

#include "chain/keccak.hpp"
#include "chain/transaction.hpp"

namespace chain::rpc {
namespace {

tl::expected<UnsignedTx, RawTxError> legacy_of(const PendingTransaction& tx,
                                               std::uint8_t& y_parity) {
  if (!tx.gas_price) return tl::unexpected(RawTxError::missing_field);
  LegacyTx out;
  const u256& v = *tx.v;
  if (v == 27 || v == 28) {
    y_parity = static_cast<std::uint8_t>(low_u64(v) - 27);  // pre-EIP-155: no chain id
  } else if (v >= 35 && v < (u256{1} << 64)) {
    const std::uint64_t raw_v = low_u64(v);
    out.chain_id = (raw_v - 35) / 2;
    y_parity = static_cast<std::uint8_t>((raw_v - 35) % 2);
  } else {
    return tl::unexpected(RawTxError::bad_v);
  }
  out.nonce = tx.nonce;
  out.gas_price = *tx.gas_price;
  out.gas_limit = tx.gas;
  out.to = tx.to;
  out.value = tx.value;
  out.data = tx.input;
  return out;
}

tl::expected<UnsignedTx, RawTxError> eip1559_of(const PendingTransaction& tx,
                                                std::uint8_t& y_parity) {
  if (!tx.chain_id || !tx.max_fee_per_gas || !tx.max_priority_fee_per_gas)
    return tl::unexpected(RawTxError::missing_field);
  if (*tx.v > 1) return tl::unexpected(RawTxError::bad_v);
  y_parity = static_cast<std::uint8_t>(low_u64(*tx.v));
  Eip1559Tx out;
  out.chain_id = *tx.chain_id;
  out.nonce = tx.nonce;
  out.max_priority_fee_per_gas = *tx.max_priority_fee_per_gas;
  out.max_fee_per_gas = *tx.max_fee_per_gas;
  out.gas_limit = tx.gas;
  out.to = tx.to;
  out.value = tx.value;
  out.data = tx.input;
  out.access_list.reserve(tx.access_list.size());
  for (const auto& [address, keys] : tx.access_list) out.access_list.push_back({address, keys});
  return out;
}

}  // namespace

std::string_view describe(RawTxError e) noexcept {
  switch (e) {
    case RawTxError::unsupported_type: return "only legacy and EIP-1559 transactions are rebuilt";
    case RawTxError::missing_signature: return "the node left out the signature";
    case RawTxError::missing_field: return "the node left out a field the type needs";
    case RawTxError::bad_v: return "v is not a valid signature parity";
    case RawTxError::hash_mismatch: return "the rebuilt bytes do not hash to the transaction";
  }
  return "unknown";
}

tl::expected<Bytes, RawTxError> signed_bytes(const PendingTransaction& tx) {
  if (tx.type != 0 && tx.type != 2) return tl::unexpected(RawTxError::unsupported_type);
  if (!tx.v || !tx.r || !tx.s) return tl::unexpected(RawTxError::missing_signature);
  std::uint8_t y_parity = 0;
  auto unsigned_tx = tx.type == 0 ? legacy_of(tx, y_parity) : eip1559_of(tx, y_parity);
  if (!unsigned_tx) return tl::unexpected(unsigned_tx.error());
  Bytes raw = encode_signed(*unsigned_tx, Signature{*tx.r, *tx.s, y_parity});
  if (keccak256(raw) != tx.hash) return tl::unexpected(RawTxError::hash_mismatch);
  return raw;
}

}  // namespace chain::rpc
