#pragma once
// Ethereum transactions keeper signs: legacy with EIP-155 replay protection, and EIP-1559
// (type 2) with an access list. Encoding, signing hash, signing, hash, decoding and sender
// recovery.
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "chain/rlp.hpp"
#include "chain/signer.hpp"
#include "chain/uint256.hpp"

namespace chain {

struct AccessListEntry {
  Address address;
  std::vector<Hash> storage_keys;
  friend bool operator==(const AccessListEntry&, const AccessListEntry&) = default;
};

struct LegacyTx {
  std::uint64_t nonce = 0;
  u256 gas_price;
  std::uint64_t gas_limit = 0;
  std::optional<Address> to;  // nullopt: contract creation
  u256 value;
  Bytes data;
  std::uint64_t chain_id = 0;  // 0: pre-EIP-155 (unprotected), never produced by keeper
  friend bool operator==(const LegacyTx&, const LegacyTx&) = default;
};

struct Eip1559Tx {
  std::uint64_t chain_id = 0;
  std::uint64_t nonce = 0;
  u256 max_priority_fee_per_gas;
  u256 max_fee_per_gas;
  std::uint64_t gas_limit = 0;
  std::optional<Address> to;
  u256 value;
  Bytes data;
  std::vector<AccessListEntry> access_list;
  friend bool operator==(const Eip1559Tx&, const Eip1559Tx&) = default;
};

using UnsignedTx = std::variant<LegacyTx, Eip1559Tx>;

struct SignedTx {
  UnsignedTx tx;
  Signature signature;
  Bytes raw;  // what eth_sendRawTransaction takes
  Hash hash;  // keccak256(raw)
};

enum class TxError {
  bad_rlp,
  unsupported_type,
  wrong_field_count,
  bad_field,
  bad_signature,
  chain_id_mismatch,
};

[[nodiscard]] std::string_view describe(TxError e) noexcept;

[[nodiscard]] Hash signing_hash(const UnsignedTx& tx);
[[nodiscard]] Bytes encode_signed(const UnsignedTx& tx, const Signature& sig);
[[nodiscard]] tl::expected<SignedTx, SignerError> sign_transaction(const UnsignedTx& tx,
                                                                   const PrivateKey& key);
[[nodiscard]] tl::expected<SignedTx, TxError> decode_signed(BytesView raw);
[[nodiscard]] tl::expected<Address, SignerError> recover_sender(const SignedTx& signed_tx);

[[nodiscard]] inline std::uint64_t nonce_of(const UnsignedTx& tx) {
  return std::visit([](const auto& t) { return t.nonce; }, tx);
}

}  // namespace chain
