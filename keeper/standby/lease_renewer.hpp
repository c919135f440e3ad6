#pragma once
// The leader's lease renewed from a thread of its own, on a Redis connection of its own. The
// daemon's event loop blocks while it works a head (sync reads, a batch of receipts: two seconds
// and more on a loaded host), and a lease renewed only from that loop expired under a leader that
// was alive and working, which then had to stop (seen on the devnet with lease_ms = 1500, leaving
// no leader at all once the other instance was dead). Sending stays safe whoever renews: every
// journal record is appended only while the lease names this instance (RedisJournalMirror), and
// nothing is sent without its record.
//
// A loop that stops for good must still lose the lease, or the follower would never take over:
// the loop proves it is alive (loop_alive, at each of its beats) and the thread stops renewing
// once it has not heard from the loop for `stall_limit`.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "keeper/standby/redis_client.hpp"

namespace keeper::standby {

struct LeaseRenewerOptions {
  RedisUrl url;
  std::chrono::milliseconds timeout{250};  // every Redis call
  std::string key;
  std::string token;
  std::chrono::milliseconds lease{3000};
  std::chrono::milliseconds every{1000};  // a third of the lease
  std::chrono::milliseconds stall_limit{30000};
};

class LeaseRenewer {
 public:
  enum class State {
    held,     // renewed (or still within the lease while Redis does not answer)
    lost,     // the lease is no longer ours: another instance holds it, or it expired
    stalled,  // the event loop was silent for stall_limit: renewal stopped, the lease expires
  };
  struct Status {
    State state = State::held;
    std::optional<RedisError> outage;  // the last renewal's error while Redis does not answer
  };

  // Starts renewing at once.
  explicit LeaseRenewer(LeaseRenewerOptions options);
  ~LeaseRenewer();  // stops the thread and waits for it (at most one Redis call)
  LeaseRenewer(const LeaseRenewer&) = delete;
  LeaseRenewer& operator=(const LeaseRenewer&) = delete;

  // The event loop is alive (called from it, at every beat).
  void loop_alive() noexcept;
  [[nodiscard]] Status status() const;

 private:
  void run();

  LeaseRenewerOptions options_;
  std::atomic<std::int64_t> alive_at_ns_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  Status status_;
  std::thread thread_;  // last: started once everything it reads is made
};

}  // namespace keeper::standby
