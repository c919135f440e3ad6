#pragma once
// A journal record checked against the signed transaction it carries: its fields are what keeper
// acts on at start (the nonce it reserves, the hash it follows), so a record whose fields and raw
// bytes disagree, or whose transaction is for another chain or from another key, is refused.
#include <cstdint>
#include <string>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "keeper/tx/journal.hpp"

namespace keeper::tx {

enum class RecordErrorKind {
  undecodable,     // the raw bytes are not a signed transaction
  hash_mismatch,   // keccak256(raw) is not the record's hash
  nonce_mismatch,  // the transaction's nonce is not the record's
  wrong_chain,     // signed for another chain id
  bad_signature,   // no sender can be recovered
  foreign_sender,  // signed by a key other than the wallet's
};
[[nodiscard]] std::string_view to_string(RecordErrorKind kind) noexcept;

struct RecordError {
  RecordErrorKind kind;
  std::string message;
};

[[nodiscard]] tl::expected<void, RecordError> check_record(const JournalEntry& record,
                                                           std::uint64_t chain_id,
                                                           const chain::Address& wallet);

}  // namespace keeper::tx
