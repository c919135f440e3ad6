#pragma once
// The standby pair's shared journal: every journal line the leader writes is appended to one
// Redis list (keyed by chain id, genesis and wallet) before it is written locally, and only while
// the writer holds the lease (checked in the same Lua script, so a leader that lost its lease
// cannot add a record, and so cannot send). A follower taking over rebuilds its local journal
// from that list, so TxManager's start (record checks, nonce reconciliation, rebroadcast, gap
// fill) knows every transaction the dead leader may have sent.
#include <filesystem>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "keeper/standby/leader_lease.hpp"
#include "keeper/standby/redis_client.hpp"
#include "keeper/tx/journal_mirror.hpp"

namespace keeper::standby {

class RedisJournalMirror final : public tx::JournalMirror {
 public:
  RedisJournalMirror(RedisClient& redis, const LeaderLease& lease, std::string list_key)
      : redis_{redis}, lease_{lease}, list_key_{std::move(list_key)} {}

  // Appends the lines if this instance holds the lease; an error otherwise (not the leader,
  // Redis unreachable), which stops the record and so the send.
  [[nodiscard]] tl::expected<void, std::string> mirror(const std::string& lines) override;
  // Every mirrored line, oldest first.
  [[nodiscard]] tl::expected<std::vector<std::string>, RedisError> lines();
  [[nodiscard]] const std::string& key() const noexcept { return list_key_; }

 private:
  RedisClient& redis_;
  const LeaderLease& lease_;
  std::string list_key_;
};

// The journal a new leader starts from: every mirrored line in order, then the lines only the
// local journal has (written before this pair shared a store), so neither loses a record.
struct MergedJournal {
  std::vector<std::string> lines;
  std::vector<std::string> local_only;  // to be mirrored, so the store stays a superset
};
[[nodiscard]] MergedJournal merge_journals(const std::vector<std::string>& mirrored,
                                           const std::vector<std::string>& local);

// Makes `path` hold the merged journal (written to a temporary file, fsync'd and renamed, so a
// crash leaves the old or the new one) and mirrors the local-only lines. Returns how many lines
// came from the store that the local journal did not have.
[[nodiscard]] tl::expected<std::size_t, std::string> adopt_mirrored_journal(
    const std::filesystem::path& path, RedisJournalMirror& mirror);

}  // namespace keeper::standby
