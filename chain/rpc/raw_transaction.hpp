#pragma once
// The signed bytes of a transaction the node showed as JSON (a pending oracle update a bundle
// must carry). Rebuilt from its fields and checked against its hash, so a node that altered or
// left out a field never makes keeper send bytes that are not the transaction it saw.
#include <cstdint>
#include <string_view>

#include <tl/expected.hpp>

#include "chain/bytes.hpp"
#include "chain/rpc/types.hpp"

namespace chain::rpc {

enum class RawTxError : std::uint8_t {
  unsupported_type,   // only legacy and EIP-1559 transactions are rebuilt
  missing_signature,  // no v, r or s
  missing_field,      // a 1559 transaction without chainId or its fees
  bad_v,              // v is neither 27/28 nor an EIP-155 value nor a y parity of 0/1
  hash_mismatch,      // the rebuilt bytes do not hash to the transaction's hash
};

[[nodiscard]] std::string_view describe(RawTxError e) noexcept;

[[nodiscard]] tl::expected<Bytes, RawTxError> signed_bytes(const PendingTransaction& tx);

}  // namespace chain::rpc
