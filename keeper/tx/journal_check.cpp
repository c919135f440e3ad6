#include "keeper/tx/journal_check.hpp"

#include <variant>

#include "chain/hex.hpp"
#include "chain/transaction.hpp"

namespace keeper::tx {

std::string_view to_string(RecordErrorKind kind) noexcept {
  switch (kind) {
    case RecordErrorKind::undecodable: return "undecodable";
    case RecordErrorKind::hash_mismatch: return "hash_mismatch";
    case RecordErrorKind::nonce_mismatch: return "nonce_mismatch";
    case RecordErrorKind::wrong_chain: return "wrong_chain";
    case RecordErrorKind::bad_signature: return "bad_signature";
    case RecordErrorKind::foreign_sender: return "foreign_sender";
  }
  return "unknown";
}

namespace {

tl::unexpected<RecordError> fail(RecordErrorKind kind, std::string message) {
  return tl::unexpected(RecordError{kind, std::move(message)});
}

std::uint64_t chain_id_of(const chain::UnsignedTx& tx) {
  return std::visit([](const auto& t) { return t.chain_id; }, tx);
}

}  // namespace

tl::expected<void, RecordError> check_record(const JournalEntry& record, std::uint64_t chain_id,
                                             const chain::Address& wallet) {
  auto tx = chain::decode_signed(record.raw);
  if (!tx)
    return fail(RecordErrorKind::undecodable, "its raw transaction does not decode (" +
                                                  std::string{chain::describe(tx.error())} + ")");
  if (tx->hash != record.hash)
    return fail(RecordErrorKind::hash_mismatch, "its hash field " + chain::hex_encode(record.hash) +
                                                    " is not the hash of its raw transaction " +
                                                    chain::hex_encode(tx->hash));
  const auto nonce = chain::nonce_of(tx->tx);
  if (nonce != record.nonce)
    return fail(RecordErrorKind::nonce_mismatch,
                "its nonce field says " + std::to_string(record.nonce) +
                    " but its raw transaction is signed at nonce " + std::to_string(nonce));
  if (chain_id_of(tx->tx) != chain_id)
    return fail(RecordErrorKind::wrong_chain, "its transaction is signed for chain " +
                                                  std::to_string(chain_id_of(tx->tx)) +
                                                  ", not chain " + std::to_string(chain_id));
  auto sender = chain::recover_sender(*tx);
  if (!sender)
    return fail(RecordErrorKind::bad_signature, "no sender can be recovered from its signature");
  if (*sender != wallet)
    return fail(RecordErrorKind::foreign_sender, "its transaction is signed by " +
                                                     sender->checksummed() + ", not the wallet " +
                                                     wallet.checksummed());
  return {};
}

}  // namespace keeper::tx
