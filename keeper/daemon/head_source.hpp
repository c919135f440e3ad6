#pragma once
// The daemon's one stream of heads, whichever way they arrive: the WebSocket's newHeads while the
// socket is up, eth_blockNumber / eth_getBlockByNumber over HTTP while it is not. Heads leave in
// order, each once: a head already delivered (same number and hash) is dropped, a jump forward is
// filled with the missing headers read over HTTP, and a head that replaces one already delivered
// (a reorg) is passed on for the engine to resync.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "chain/rpc/rpc_client.hpp"
#include "keeper/ops/log.hpp"

namespace keeper::daemon {

struct HeadSourceOptions {
  // How often the node's head is asked for while the socket is down (about the block time).
  std::chrono::milliseconds poll_interval{1000};
  // At most this many missing headers are read to fill a jump; a longer gap starts after it
  // (each head reads the whole market, so nothing is lost, only per-block reports).
  std::uint64_t max_fill = 64;
};

struct HeadSourceCounters {
  std::uint64_t delivered = 0;
  std::uint64_t from_socket = 0;
  std::uint64_t polled = 0;      // delivered from a poll over HTTP
  std::uint64_t filled = 0;      // missing headers read to fill a jump
  std::uint64_t duplicates = 0;  // heads dropped as already delivered
  std::uint64_t replaced = 0;    // heads at or below the last one, with another hash (a reorg)
  std::uint64_t poll_failures = 0;
};

class HeadSource {
 public:
  using OnHead = std::function<void(const chain::rpc::BlockHeader&)>;
  // `socket_live` says whether the WebSocket is up right now (it is asked at each tick).
  HeadSource(boost::asio::io_context& io, chain::rpc::RpcClient& rpc, const ops::Log& log,
             HeadSourceOptions options, std::function<bool()> socket_live, OnHead on_head);

  // Starts the poll timer; while the socket is live a tick costs nothing but the check.
  void start();
  void stop();

  // A head from the socket's subscription.
  void on_socket_head(const chain::rpc::BlockHeader& head);

  [[nodiscard]] const HeadSourceCounters& counters() const noexcept { return counters_; }
  [[nodiscard]] bool polling() const noexcept { return polling_; }

 private:
  void schedule();
  void poll_once();
  // Passes `head` on, after the headers between the last delivered and it.
  void accept(const chain::rpc::BlockHeader& head);
  void enqueue(const chain::rpc::BlockHeader& head);
  // One queued head per turn of the loop, so the work the daemon posts after each head (receipts,
  // the snapshot) runs before the next head starts.
  void drain();

  boost::asio::io_context& io_;
  boost::asio::steady_timer timer_;
  chain::rpc::RpcClient& rpc_;
  const ops::Log& log_;
  HeadSourceOptions options_;
  std::function<bool()> socket_live_;
  OnHead on_head_;
  bool running_ = false;
  bool polling_ = false;
  bool draining_ = false;
  bool node_silent_ = false;  // the last poll failed (logged once per outage)
  std::deque<chain::rpc::BlockHeader> queue_;
  // The hashes of the last delivered heads by number, to tell a repeat from a replacement.
  std::map<std::uint64_t, chain::Hash> recent_;
  std::optional<std::uint64_t> last_;
  HeadSourceCounters counters_;
};

}  // namespace keeper::daemon
