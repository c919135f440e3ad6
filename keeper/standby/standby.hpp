#pragma once
// One instance of a standby pair ([standby] in the config): its lease, its journal mirror, and
// what a new leader does before its first send. Both instances run the same config and key; the
// one holding the lease sends, the other keeps its book warm and takes over when the lease
// expires (at most lease_ms after the leader's death) or is released (a clean exit).
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "config/keeper_config.hpp"
#include "keeper/standby/journal_mirror.hpp"
#include "keeper/standby/leader_lease.hpp"
#include "keeper/standby/lease_renewer.hpp"
#include "keeper/standby/redis_client.hpp"
#include "keeper/tx/journal.hpp"

namespace keeper::standby {

// The Redis keys of one wallet on one chain: the pair shares them, nothing else does.
struct StandbyKeys {
  std::string lease;
  std::string journal;
};
[[nodiscard]] StandbyKeys standby_keys(const tx::JournalScope& scope, const chain::Address& wallet);

class Standby {
 public:
  [[nodiscard]] static tl::expected<std::unique_ptr<Standby>, std::string> create(
      const config::StandbyConfig& config, const tx::JournalScope& scope,
      const chain::Address& wallet);

  // Takes the lease if nobody holds it. true: this instance leads (it must adopt the journal
  // before sending); false: another does.
  [[nodiscard]] tl::expected<bool, RedisError> try_lead();
  // The leader's renewal; false: the lease is gone (this instance must not send again).
  [[nodiscard]] tl::expected<bool, RedisError> renew();
  // Once leading: the lease is renewed from a thread of its own from now on (lease_renewer.hpp),
  // so a head that keeps the event loop busy longer than the lease does not lose it.
  void start_renewing();
  // The event loop's proof of life for that thread (at every beat); a loop silent for
  // stall_limit() lets the lease expire.
  void loop_alive() noexcept {
    if (renewer_) renewer_->loop_alive();
  }
  // How the renewal goes; `held` while it has not started.
  [[nodiscard]] LeaseRenewer::Status renewal() const {
    return renewer_ ? renewer_->status() : LeaseRenewer::Status{};
  }
  [[nodiscard]] std::chrono::milliseconds stall_limit() const noexcept {
    return std::chrono::milliseconds{std::int64_t{config_.lease_ms} * 10};
  }
  // A clean exit gives the lease up, so the other instance takes over at once. Best effort.
  void release() noexcept;
  [[nodiscard]] bool leading() const noexcept { return leading_; }

  // Before a new leader's journal is opened: the journal at `path` (created with its scope line
  // when new) gets every record the store has and the store every record the file has. Returns
  // the number of records taken from the store.
  [[nodiscard]] tl::expected<std::size_t, std::string> adopt_journal(
      const std::filesystem::path& path);
  // What the leader's journal mirrors each record to before it counts.
  [[nodiscard]] tx::JournalMirror& mirror() noexcept { return mirror_; }

  [[nodiscard]] std::chrono::milliseconds check_every() const noexcept {
    return std::chrono::milliseconds{config_.lease_ms / 3};
  }
  [[nodiscard]] const LeaderLease& lease() const noexcept { return lease_; }
  [[nodiscard]] std::string where() const { return redis_.url().where(); }

 private:
  Standby(config::StandbyConfig config, RedisUrl url, const tx::JournalScope& scope,
          const chain::Address& wallet);

  config::StandbyConfig config_;
  tx::JournalScope scope_;
  RedisClient redis_;
  StandbyKeys keys_;
  LeaderLease lease_;
  RedisJournalMirror mirror_;
  std::unique_ptr<LeaseRenewer> renewer_;
  bool leading_ = false;
};

}  // namespace keeper::standby
