#pragma once
// The append-only record of every transaction keeper signs and what became of it. A line is
// written and fsync'd before the transaction is broadcast, so after any crash the journal knows
// every nonce that may be in flight and every liquidation already attempted.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <tl/expected.hpp>

#include "chain/bytes.hpp"
#include "keeper/tx/journal_mirror.hpp"

namespace keeper::tx {

// unsent: signed and journalled with its batch, but never broadcast (an earlier transaction of the
// batch was refused), so its nonce is free again.
enum class Outcome { pending, mined, reverted, replaced, cancelled, dropped, unsent };
[[nodiscard]] std::string_view to_string(Outcome o) noexcept;

struct JournalEntry {
  std::uint64_t nonce = 0;
  chain::Hash hash{};
  chain::Bytes raw;        // the signed transaction, to rebroadcast after a restart
  std::string intent_key;  // e.g. "liquidation:<account>:<collateral>:<debt>"; "cancel:<nonce>"
  std::uint64_t sent_at_block = 0;
  Outcome outcome = Outcome::pending;
  std::size_t line = 0;  // where it was replayed from (1-based), 0 when recorded by this run
  // Given only to builders or an auction, for blocks up to this one: never broadcast, so a
  // restart releases it rather than sending it in public.
  std::optional<std::uint64_t> private_until{};
};

// The chain a journal belongs to: its transactions mean nothing on any other, even one with the
// same chain id (a fresh devnet reuses accounts, nonces and so intents).
struct JournalScope {
  std::uint64_t chain_id = 0;
  chain::Hash genesis{};
  bool operator==(const JournalScope&) const = default;
};

// When a journal line reaches the disk: before the send (synced), or written to the kernel
// before the send and fsync'd by `sync()` right after it (deferred). Deferred survives keeper
// crashing at any point; only a power loss in the microseconds between send and sync can lose
// the line, and then the node's pending nonce still tells keeper the nonce was used.
enum class Durability { synced, deferred };

class Journal {
 public:
  // Opens (creating) the file and replays it. The file must be writable (checked first, so an
  // unwritable journal stops keeper at start rather than failing every send). A torn last line
  // (keeper stopped mid-write: that transaction was never broadcast) is cut off and reported in
  // warnings(); any other malformed line is an error: keeper will not guess what it sent. With a
  // scope, a new journal starts with it, an existing one must carry the same on its first line,
  // and every record must name the same chain: another chain's journal, or a record copied from
  // one, is refused, never replayed.
  [[nodiscard]] static tl::expected<Journal, std::string> open(
      const std::filesystem::path& path, std::optional<JournalScope> scope = std::nullopt);

  [[nodiscard]] tl::expected<void, std::string> record_signed(const JournalEntry& entry);
  // Several at once, with one write: a batch of a head's transactions is in the journal before
  // the first of them is broadcast.
  [[nodiscard]] tl::expected<void, std::string> record_signed_all(
      const std::vector<JournalEntry>& entries, Durability durability = Durability::synced);
  // Makes every deferred line durable.
  [[nodiscard]] tl::expected<void, std::string> sync();
  [[nodiscard]] tl::expected<void, std::string> record_outcome(const chain::Hash& hash,
                                                               Outcome outcome,
                                                               std::uint64_t block);

  [[nodiscard]] const std::map<chain::Hash, JournalEntry>& entries() const noexcept {
    return entries_;
  }
  [[nodiscard]] std::vector<JournalEntry> pending() const;
  // The highest nonce any transaction that may have left keeper used (unsent ones excluded).
  [[nodiscard]] std::optional<std::uint64_t> highest_nonce() const noexcept;
  [[nodiscard]] bool attempted(const std::string& intent_key) const {
    return intents_.count(intent_key) != 0;
  }
  // "path:line" of a replayed record, for errors an operator can act on.
  [[nodiscard]] std::string where(const JournalEntry& e) const;
  // Every record from now on is first copied to `mirror` (null: none). A signed record the mirror
  // refuses is not recorded, so its transaction is never sent; an outcome is recorded locally
  // even then (it only saves a successor a rebroadcast the node will refuse).
  void set_mirror(JournalMirror* mirror) noexcept { mirror_ = mirror; }
  // What replaying found but tolerated (a torn last line), for the caller to log.
  [[nodiscard]] const std::vector<std::string>& warnings() const noexcept { return warnings_; }

 private:
  explicit Journal(std::filesystem::path path) : path_{std::move(path)} {}
  tl::expected<void, std::string> append(const std::string& line,
                                         Durability durability = Durability::synced);
  tl::expected<void, std::string> replay(const std::string& text);
  tl::expected<void, std::string> check_scope(const JournalScope& scope) const;
  tl::expected<void, std::string> cut_torn_tail();
  tl::expected<void, std::string> apply(const std::string& line, std::size_t number);
  tl::expected<void, std::string> check_record_scope(const nlohmann::json& doc) const;
  // The chain fields every record carries once the journal has a scope.
  void add_scope(nlohmann::json& record) const;

  std::filesystem::path path_;
  std::optional<JournalScope> scope_;  // as read from the file's first line
  bool unsynced_ = false;
  std::map<chain::Hash, JournalEntry> entries_;
  std::set<std::string> intents_;
  std::vector<std::string> warnings_;
  std::optional<std::size_t> torn_from_;  // offset of a partial last record, until cut off
  JournalMirror* mirror_ = nullptr;
};

}  // namespace keeper::tx
