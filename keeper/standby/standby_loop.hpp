#pragma once
// The standby pair's heartbeat on the daemon's event loop, every third of the lease: the leader
// renews (and stops the daemon if the lease is gone: it must never send beside a new leader);
// the follower tries to take the lease and, once it has it, takes over. Each Redis call has the
// configured deadline, so a beat costs the loop at most that.
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <tl/expected.hpp>

#include "keeper/ops/log.hpp"
#include "keeper/standby/standby.hpp"

namespace keeper::standby {

struct StandbyCallbacks {
  // The follower now holds the lease: adopt the journal and start sending. An error gives the
  // lease back and stops the daemon.
  std::function<tl::expected<void, std::string>()> take_over;
  // The daemon must stop (the leader lost its lease, or a takeover failed).
  std::function<void(const std::string& why)> stop;
};

// Joins the pair at start, as a follower: the loop's first beat takes the lease if it is free.
// Redis unreachable is not an error: the instance follows (sends nothing) and says why.
// Errors: a redis_url that cannot be parsed.
[[nodiscard]] tl::expected<std::unique_ptr<Standby>, std::string> join_standby_pair(
    const config::StandbyConfig& config, const tx::JournalScope& scope,
    const chain::Address& wallet, const ops::Log& log);

class StandbyLoop;
// Starts the beats; they end with the io_context (or when the returned handle is destroyed).
[[nodiscard]] std::shared_ptr<StandbyLoop> start_standby_loop(boost::asio::io_context& io,
                                                              Standby& standby, const ops::Log& log,
                                                              StandbyCallbacks callbacks);

}  // namespace keeper::standby
