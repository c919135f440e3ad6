#include "keeper/standby/standby_loop.hpp"

#include <boost/asio/steady_timer.hpp>

namespace keeper::standby {

class StandbyLoop : public std::enable_shared_from_this<StandbyLoop> {
 public:
  StandbyLoop(boost::asio::io_context& io, Standby& standby, const ops::Log& log,
              StandbyCallbacks callbacks)
      : timer_{io}, standby_{standby}, log_{log}, callbacks_{std::move(callbacks)} {}

  // The first beat comes at once: an instance takes a free lease as soon as its loop runs (and
  // not before its market is synced: a lease is never held by an instance that cannot renew it).
  void schedule(std::chrono::milliseconds after) {
    timer_.expires_after(after);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      if (self->beat()) self->schedule(self->standby_.check_every());
    });
  }

 private:
  // false: stop beating (the daemon is stopping).
  bool beat() {
    if (standby_.leading()) {
      // The lease is renewed by a thread of its own (LeaseRenewer); the loop proves it is alive
      // and reads how the renewal goes.
      standby_.loop_alive();
      const auto renewal = standby_.renewal();
      if (renewal.outage) {
        // Unreachable: the lease may still be ours, but every record needs the store, so nothing
        // is sent meanwhile (the mirror refuses). Logged once per outage.
        report_outage(*renewal.outage);
      } else {
        recovered();
      }
      if (renewal.state == LeaseRenewer::State::held) return true;
      const bool stalled = renewal.state == LeaseRenewer::State::stalled;
      const std::string why =
          "the leader lease " + standby_.lease().key() +
          (stalled ? " was left to expire: the event loop was stalled for more than " +
                         std::to_string(standby_.stall_limit().count()) + " ms"
                   : " is no longer ours (it expired)") +
          ": stopping, sending nothing more";
      log_.event(ops::Level::error, "standby",
                 {{"role", "leader"}, {"lost", true}, {"stalled", stalled}}, why);
      callbacks_.stop(why);
      return false;
    }
    auto took = standby_.try_lead();
    if (!took) {
      report_outage(took.error());
      return true;
    }
    recovered();
    if (!*took) return true;
    log_.info("standby",
              {{"role", "leader"}, {"took_over", true}, {"token", standby_.lease().token()}},
              "took the leader lease " + standby_.lease().key() + ": taking over");
    // Taking over reads the chain and may rebroadcast, on the loop: the lease is renewed by its
    // thread meanwhile, and checked once more after it.
    standby_.start_renewing();
    auto ok = callbacks_.take_over();
    if (ok) {
      auto held = standby_.renew();
      if (!held || !*held) ok = tl::unexpected(std::string{"the lease expired while taking over"});
    }
    if (!ok) {
      standby_.release();
      log_.event(ops::Level::error, "standby", {{"role", "follower"}, {"what", ok.error()}},
                 "taking over failed: " + ok.error());
      callbacks_.stop("taking over failed: " + ok.error());
      return false;
    }
    log_.info("standby", {{"role", "leader"}, {"sending", true}}, "now the leader: sending");
    return true;
  }

  void report_outage(const RedisError& e) {
    if (outage_) return;
    outage_ = true;
    log_.event(ops::Level::error, "standby",
               {{"store", standby_.where()},
                {"kind", to_string(e.kind)},
                {"what", e.message},
                {"role", standby_.leading() ? "leader" : "follower"}},
               "the standby store is unreachable (" + e.message +
                   "): this instance sends nothing until it answers");
  }
  void recovered() {
    if (!outage_) return;
    outage_ = false;
    log_.info("standby", {{"store", standby_.where()}, {"recovered", true}},
              "the standby store answers again");
  }

  boost::asio::steady_timer timer_;
  Standby& standby_;
  const ops::Log& log_;
  StandbyCallbacks callbacks_;
  bool outage_ = false;
};

tl::expected<std::unique_ptr<Standby>, std::string> join_standby_pair(
    const config::StandbyConfig& config, const tx::JournalScope& scope,
    const chain::Address& wallet, const ops::Log& log) {
  auto standby = Standby::create(config, scope, wallet);
  if (!standby) return tl::unexpected("[standby] " + standby.error());
  const auto& s = **standby;
  log.info("standby",
           {{"role", "follower"},
            {"store", s.where()},
            {"lease", s.lease().key()},
            {"token", s.lease().token()},
            {"lease_ms", config.lease_ms}},
           "standby pair through " + s.where() +
               ": following (deciding, sending nothing) until "
               "the leader lease " +
               s.lease().key() + " is ours");
  return standby;
}

std::shared_ptr<StandbyLoop> start_standby_loop(boost::asio::io_context& io, Standby& standby,
                                                const ops::Log& log, StandbyCallbacks callbacks) {
  auto loop = std::make_shared<StandbyLoop>(io, standby, log, std::move(callbacks));
  loop->schedule(std::chrono::milliseconds{0});
  return loop;
}

}  // namespace keeper::standby
