#pragma once
// JSON-RPC over WebSocket (ws:// and wss://) with subscriptions that survive reconnects.
//
// Runs on the caller's io_context; every handler is called on that context's thread. A silently
// dead connection is noticed through WebSocket pings within `idle_timeout`. After a reconnect every
// subscription is renewed and `on_gap` says which blocks may have been missed, so the caller can
// backfill them with eth_getLogs. Pending transactions (the mempool) are renewed the same way;
// what was broadcast while the connection was down is not replayed.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "chain/rpc/json_rpc.hpp"
#include "chain/rpc/types.hpp"
#include "chain/ws/notification.hpp"

namespace chain::ws {

struct WsOptions {
  std::string url;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds handshake_timeout{5000};
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds idle_timeout{20000};  // no frame (not even a pong) for this long: dead
  std::size_t max_message_bytes = 16 * 1024 * 1024;
  std::size_t max_queued_writes = 4096;
  // Back-off between attempts: doubled from `reconnect_base` per failed attempt, capped, with
  // jitter; back to the base once a connection opens. The cap is low because the node is the
  // keeper's own: heads go to HTTP polling while the socket is down, and an attempt on a node
  // that is not back costs one refused connection, while a long wait keeps the socket (the fast
  // path for heads, logs and sends) away for that long after the node returns.
  std::chrono::milliseconds reconnect_base{200};
  std::chrono::milliseconds reconnect_cap{1000};
};

enum class WsState { connecting, connected, disconnected, stopped };

// Blocks possibly missed while the connection was down: [from, to]. `reset` when the node's head
// went backwards (a node restarted from scratch, or a deep reorg): the caller should resync.
struct Gap {
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  bool reset = false;
};

struct WsCounters {
  std::uint64_t messages = 0;
  std::uint64_t heads = 0;
  std::uint64_t logs = 0;
  std::uint64_t pending_txs = 0;      // pending transactions handed to a subscriber
  std::uint64_t invalid_pending = 0;  // pending bodies (or fetched ones) that failed to decode
  std::uint64_t invalid_json = 0;
  std::uint64_t unknown_subscription = 0;
  std::uint64_t oversized = 0;
  std::uint64_t reconnects = 0;
  std::uint64_t dropped_requests = 0;
};

using SubscriptionId = std::uint64_t;
using ResponseHandler = std::function<void(tl::expected<rpc::Json, rpc::RpcError>)>;

class WsClient : public std::enable_shared_from_this<WsClient> {
 public:
  static std::shared_ptr<WsClient> create(boost::asio::io_context& io, WsOptions options);
  ~WsClient();

  void start();
  void stop();

  SubscriptionId subscribe_heads(std::function<void(const rpc::BlockHeader&)> on_head);
  SubscriptionId subscribe_logs(const rpc::LogFilter& filter,
                                std::function<void(const rpc::Log&)> on_log);
  // Every transaction the node admits to its mempool, with its body. Asks for full bodies
  // (eth_subscribe "newPendingTransactions", true); from a node that sends only hashes, each body
  // is fetched with eth_getTransactionByHash on this socket, and one already gone (null) or
  // already mined is skipped.
  SubscriptionId subscribe_pending_transactions(
      std::function<void(const rpc::PendingTransaction&)> on_tx);
  void unsubscribe(SubscriptionId id);

  // `on_written`, when given, is called once the request's bytes are on the socket: the moment a
  // sent transaction left keeper, before any answer.
  void request(const std::string& method, rpc::Json params, ResponseHandler on_response,
               std::function<void()> on_written = {});
  // Several requests as one JSON-RPC batch in one frame: one write puts them all on the socket,
  // before any answer. `handlers` pairs with `calls`; `on_written` once, when the frame is out.
  void request_batch(const std::vector<rpc::Call>& calls, std::vector<ResponseHandler> handlers,
                     std::function<void()> on_written = {});

  void on_gap(std::function<void(const Gap&)> f) { on_gap_ = std::move(f); }
  void on_state(std::function<void(WsState, const std::string& why)> f) {
    on_state_ = std::move(f);
  }

  [[nodiscard]] const WsCounters& counters() const noexcept { return counters_; }
  [[nodiscard]] WsState state() const noexcept { return state_; }
  [[nodiscard]] std::optional<std::uint64_t> last_head() const noexcept { return last_head_; }

  // Parses and dispatches one message as if it came from the socket (the hot path; benchmarked).
  void dispatch(std::string_view text);
  // Binds a node-side subscription id to a local subscription without a round trip; the socket
  // path does this on eth_subscribe's answer, benchmarks and replays do it directly.
  void attach_server_id(SubscriptionId id, const std::string& server_id);

  struct Impl;

 private:
  WsClient(boost::asio::io_context& io, WsOptions options);
  friend struct Impl;
  std::unique_ptr<Impl> impl_;

  struct Subscription {
    SubscriptionKind kind = SubscriptionKind::heads;
    rpc::LogFilter filter;
    std::function<void(const rpc::BlockHeader&)> on_head;
    std::function<void(const rpc::Log&)> on_log;
    std::function<void(const rpc::PendingTransaction&)> on_pending;
    std::string server_id;  // empty until the node confirmed this connection's subscription
  };
  void deliver_pending(SubscriptionId local, const PendingTxNotification& notification);
  void fetch_pending(SubscriptionId local, const Hash& hash);

  std::map<SubscriptionId, Subscription> subscriptions_;
  std::map<std::string, SubscriptionId, std::less<>> by_server_id_;
  SubscriptionId next_subscription_ = 1;

  std::function<void(const Gap&)> on_gap_;
  std::function<void(WsState, const std::string&)> on_state_;
  WsCounters counters_;
  WsState state_ = WsState::disconnected;
  std::optional<std::uint64_t> last_head_;
};

}  // namespace chain::ws
