#include "keeper/standby/lease_renewer.hpp"

#include "keeper/standby/leader_lease.hpp"

namespace keeper::standby {
namespace {

std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

LeaseRenewer::LeaseRenewer(LeaseRenewerOptions options)
    : options_{std::move(options)}, alive_at_ns_{now_ns()}, thread_{[this] { run(); }} {}

LeaseRenewer::~LeaseRenewer() {
  {
    const std::lock_guard lock{mutex_};
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void LeaseRenewer::loop_alive() noexcept { alive_at_ns_.store(now_ns()); }

LeaseRenewer::Status LeaseRenewer::status() const {
  const std::lock_guard lock{mutex_};
  return status_;
}

void LeaseRenewer::run() {
  RedisClient redis{options_.url, options_.timeout};
  LeaderLease lease{redis, options_.key, options_.token, options_.lease};
  std::unique_lock lock{mutex_};
  while (!stop_) {
    wake_.wait_for(lock, options_.every, [this] { return stop_; });
    if (stop_) break;
    const auto silent = std::chrono::nanoseconds{now_ns() - alive_at_ns_.load()};
    if (silent > options_.stall_limit) {
      status_.state = State::stalled;
      break;
    }
    lock.unlock();
    auto held = lease.renew();  // bounded by the Redis timeout
    lock.lock();
    if (!held) {
      // The lease may still be ours; the mirror refuses every record meanwhile, so nothing is
      // sent until Redis answers again.
      status_.outage = held.error();
      continue;
    }
    status_.outage.reset();
    if (!*held) {
      status_.state = State::lost;
      break;
    }
  }
}

}  // namespace keeper::standby
