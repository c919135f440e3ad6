#include "chain/ws/ws_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <random>
#include <utility>
#include <variant>

#include "chain/hex.hpp"
#include "chain/rpc/json_codec.hpp"
#include "chain/ws/fast_log_notification.hpp"
#include "chain/ws/notification.hpp"
#include "chain/ws/url.hpp"

namespace chain::ws {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using rpc::RpcError;
using rpc::RpcErrorKind;

using PlainStream = websocket::stream<beast::tcp_stream>;
using TlsStream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

struct WsClient::Impl {
  WsClient& owner;
  asio::io_context& io;
  WsOptions options;
  WsUrl url;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  tcp::resolver resolver;
  asio::steady_timer reconnect_timer;
  std::unique_ptr<PlainStream> plain;
  std::unique_ptr<TlsStream> secure;
  beast::flat_buffer buffer;
  struct Outgoing {
    std::string text;
    std::function<void()> on_written;  // when its bytes are on the socket; may be empty
  };
  std::deque<Outgoing> writes;
  bool writing = false;
  bool stopped = false;
  std::uint64_t generation = 0;  // bumps per connection; stale handlers see a mismatch and return
  int failures = 0;
  std::uint64_t next_id = 1;
  std::mt19937_64 rng{std::random_device{}()};
  std::optional<std::uint64_t> head_before_drop;
  bool ever_connected = false;

  struct Pending {
    ResponseHandler handler;
    std::unique_ptr<asio::steady_timer> timer;
  };
  std::map<std::uint64_t, Pending> pending;

  Impl(WsClient& o, asio::io_context& context, WsOptions opts)
      : owner{o},
        io{context},
        options{std::move(opts)},
        resolver{context},
        reconnect_timer{context} {
    tls.set_default_verify_paths();
    tls.set_verify_mode(asio::ssl::verify_peer);
  }

  template <class F>
  void with_stream(F&& f) {
    if (plain) f(*plain);
    if (secure) f(*secure);
  }

  void set_state(WsState s, const std::string& why) {
    owner.state_ = s;
    if (owner.on_state_) owner.on_state_(s, why);
  }

  void connect() {
    if (stopped) return;
    ++generation;
    plain.reset();
    secure.reset();
    writes.clear();
    writing = false;
    buffer.clear();
    set_state(WsState::connecting, url.host + ":" + std::to_string(url.port));
    auto self = owner.shared_from_this();
    const auto gen = generation;
    resolver.async_resolve(
        url.host, std::to_string(url.port),
        [this, self, gen](beast::error_code ec, const tcp::resolver::results_type& results) {
          if (gen != generation) return;
          if (ec) return fail("resolve: " + ec.message());
          on_resolved(results);
        });
  }

  void on_resolved(const tcp::resolver::results_type& results) {
    auto self = owner.shared_from_this();
    const auto gen = generation;
    if (url.tls) {
      secure = std::make_unique<TlsStream>(io, tls);
    } else {
      plain = std::make_unique<PlainStream>(io);
    }
    with_stream([&](auto& ws) {
      auto& lowest = beast::get_lowest_layer(ws);
      lowest.expires_after(options.connect_timeout);
      lowest.async_connect(results, [this, self, gen](beast::error_code ec, const tcp::endpoint&) {
        if (gen != generation) return;
        if (ec) return fail("connect: " + ec.message());
        on_tcp_connected();
      });
    });
  }

  void on_tcp_connected() {
    auto self = owner.shared_from_this();
    const auto gen = generation;
    if (secure) {
      auto& ssl_stream = secure->next_layer();
      // SNI, and the certificate must name the host we asked for.
      // SSL_set_tlsext_host_name is a macro with a C cast; call what it expands to.
      if (SSL_ctrl(ssl_stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                   TLSEXT_NAMETYPE_host_name, const_cast<char*>(url.host.c_str())) != 1)
        return fail("TLS: cannot set SNI");
      ssl_stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
      beast::get_lowest_layer(*secure).expires_after(options.handshake_timeout);
      ssl_stream.async_handshake(asio::ssl::stream_base::client,
                                 [this, self, gen](beast::error_code ec) {
                                   if (gen != generation) return;
                                   if (ec) return fail("TLS handshake: " + ec.message());
                                   websocket_handshake();
                                 });
      return;
    }
    websocket_handshake();
  }

  void websocket_handshake() {
    auto self = owner.shared_from_this();
    const auto gen = generation;
    with_stream([&](auto& ws) {
      beast::get_lowest_layer(ws).expires_never();
      websocket::stream_base::timeout timeouts{};
      timeouts.handshake_timeout = options.handshake_timeout;
      timeouts.idle_timeout = options.idle_timeout;
      timeouts.keep_alive_pings = true;  // a ping at half the idle time; silence past it closes
      ws.set_option(timeouts);
      ws.read_message_max(options.max_message_bytes);
      ws.text(true);
      // One frame per message: fragmented, a batch of transactions would leave 4 KiB per turn
      // of the event loop, interleaved with whatever else the loop runs.
      ws.auto_fragment(false);
      // A client masks what it sends through this buffer, one socket write per buffer-full: the
      // default 4 KiB would split a batch of transactions over many turns of the loop too.
      ws.write_buffer_bytes(1024 * 1024);
      const bool default_port = url.port == (url.tls ? 443 : 80);
      const std::string host = default_port ? url.host : url.host + ":" + std::to_string(url.port);
      ws.async_handshake(host, url.target, [this, self, gen](beast::error_code ec) {
        if (gen != generation) return;
        if (ec) return fail("WebSocket handshake: " + ec.message());
        on_open();
      });
    });
  }

  void on_open() {
    failures = 0;
    if (ever_connected) ++owner.counters_.reconnects;
    ever_connected = true;
    set_state(WsState::connected, "");
    read();
    resubscribe_all();
  }

  void resubscribe_all() {
    owner.by_server_id_.clear();
    for (auto& [local, sub] : owner.subscriptions_) {
      sub.server_id.clear();
      send_subscribe(local);
    }
    // Once subscriptions are in place, ask where the chain is: what lies between is the gap.
    if (head_before_drop) {
      const auto last = *head_before_drop;
      head_before_drop.reset();
      send_request("eth_blockNumber", rpc::Json::array(),
                   [this, last](tl::expected<rpc::Json, RpcError> r) {
                     if (!r) return;
                     auto head = rpc::quantity_u64(*r, "blockNumber");
                     if (!head || !owner.on_gap_) return;
                     if (*head < last) {
                       owner.on_gap_(Gap{0, *head, true});
                     } else if (*head > last) {
                       owner.on_gap_(Gap{last + 1, *head, false});
                     }
                   });
    }
  }

  void send_subscribe(SubscriptionId local) {
    const auto& sub = owner.subscriptions_.at(local);
    rpc::Json params;
    switch (sub.kind) {
      case SubscriptionKind::heads: params = rpc::Json::array({"newHeads"}); break;
      case SubscriptionKind::logs:
        params = rpc::Json::array({"logs", rpc::to_json(sub.filter)});
        break;
      case SubscriptionKind::pending_transactions:
        params = rpc::Json::array({"newPendingTransactions", true});  // true: full bodies
        break;
    }
    send_request("eth_subscribe", std::move(params),
                 [this, local](tl::expected<rpc::Json, RpcError> r) {
                   const auto it = owner.subscriptions_.find(local);
                   if (it == owner.subscriptions_.end()) return;  // unsubscribed meanwhile
                   if (!r || !r->is_string()) return;  // the connection drops or the node refuses
                   it->second.server_id = r->get<std::string>();
                   owner.by_server_id_[it->second.server_id] = local;
                 });
  }

  void send_request(const std::string& method, rpc::Json params, ResponseHandler handler,
                    std::function<void()> on_written = {}) {
    if (state_is_not_connected()) {
      handler(tl::unexpected(RpcError::of(RpcErrorKind::closed, "WebSocket is not connected")));
      return;
    }
    if (writes.size() >= options.max_queued_writes) {
      ++owner.counters_.dropped_requests;
      handler(
          tl::unexpected(RpcError::of(RpcErrorKind::too_large, "WebSocket write queue is full")));
      return;
    }
    const std::uint64_t id = next_id++;
    auto timer = std::make_unique<asio::steady_timer>(io, options.request_timeout);
    auto self = owner.shared_from_this();
    timer->async_wait([this, self, id](beast::error_code ec) {
      if (ec) return;
      complete(
          id, tl::unexpected(RpcError::of(RpcErrorKind::timeout, "no WebSocket response in time")));
    });
    pending.emplace(id, Pending{std::move(handler), std::move(timer)});
    write(rpc::request_text(id, rpc::Call{method, std::move(params)}), std::move(on_written));
  }

  void send_batch(const std::vector<rpc::Call>& calls, std::vector<ResponseHandler> handlers,
                  std::function<void()> on_written) {
    const auto refuse_all = [&](RpcErrorKind kind, const std::string& why) {
      for (auto& h : handlers) h(tl::unexpected(RpcError::of(kind, why)));
    };
    if (state_is_not_connected())
      return refuse_all(RpcErrorKind::closed, "WebSocket is not connected");
    if (writes.size() >= options.max_queued_writes) {
      ++owner.counters_.dropped_requests;
      return refuse_all(RpcErrorKind::too_large, "WebSocket write queue is full");
    }
    const std::uint64_t first = next_id;
    next_id += calls.size();
    auto self = owner.shared_from_this();
    for (std::size_t i = 0; i < calls.size(); ++i) {
      const std::uint64_t id = first + i;
      auto timer = std::make_unique<asio::steady_timer>(io, options.request_timeout);
      timer->async_wait([this, self, id](beast::error_code ec) {
        if (ec) return;
        complete(id, tl::unexpected(
                         RpcError::of(RpcErrorKind::timeout, "no WebSocket response in time")));
      });
      pending.emplace(id, Pending{std::move(handlers[i]), std::move(timer)});
    }
    write(rpc::batch_text(first, calls), std::move(on_written));
  }

  [[nodiscard]] bool state_is_not_connected() const { return owner.state_ != WsState::connected; }

  void complete(std::uint64_t id, tl::expected<rpc::Json, RpcError> result) {
    const auto it = pending.find(id);
    if (it == pending.end()) return;
    auto handler = std::move(it->second.handler);
    it->second.timer->cancel();
    pending.erase(it);
    handler(std::move(result));
  }

  void write(std::string text, std::function<void()> on_written = {}) {
    writes.push_back({std::move(text), std::move(on_written)});
    if (writing) return;
    write_next();
    // On an idle socket the write starts inside async_write: asio sends speculatively (a
    // non-blocking send before returning), so the frame is in the kernel now. Its completion
    // handler would only run turns of the loop later, after whatever the caller does next.
    if (writing && !writes.empty() && writes.front().on_written)
      std::exchange(writes.front().on_written, {})();
  }

  void write_next() {
    if (writes.empty()) {
      writing = false;
      return;
    }
    writing = true;
    auto self = owner.shared_from_this();
    const auto gen = generation;
    with_stream([&](auto& ws) {
      ws.async_write(asio::buffer(writes.front().text),
                     [this, self, gen](beast::error_code ec, std::size_t) {
                       if (gen != generation) return;
                       if (ec) return fail("write: " + ec.message());
                       auto done = std::move(writes.front().on_written);
                       writes.pop_front();
                       if (done) done();
                       write_next();
                     });
    });
  }

  void read() {
    auto self = owner.shared_from_this();
    const auto gen = generation;
    with_stream([&](auto& ws) {
      ws.async_read(buffer, [this, self, gen](beast::error_code ec, std::size_t) {
        if (gen != generation) return;
        if (ec) {
          if (ec == websocket::error::message_too_big) ++owner.counters_.oversized;
          return fail("read: " + ec.message());
        }
        const auto data = buffer.cdata();
        owner.dispatch(std::string_view{static_cast<const char*>(data.data()), data.size()});
        buffer.consume(buffer.size());
        read();
      });
    });
  }

  void fail(const std::string& why) {
    if (stopped) return;
    ++generation;  // every handler of the old connection becomes stale
    if (owner.last_head_ && !head_before_drop) head_before_drop = owner.last_head_;
    with_stream([](auto& ws) { beast::get_lowest_layer(ws).close(); });
    writes.clear();
    writing = false;
    auto waiting = std::move(pending);
    pending.clear();
    for (auto& [id, p] : waiting) {
      p.timer->cancel();
      p.handler(tl::unexpected(RpcError::of(RpcErrorKind::closed, "connection lost: " + why)));
    }
    set_state(WsState::disconnected, why);
    schedule_reconnect();
  }

  void schedule_reconnect() {
    const auto ceiling = std::min<std::int64_t>(
        options.reconnect_cap.count(), options.reconnect_base.count() << std::min(failures, 16));
    ++failures;
    std::uniform_int_distribution<std::int64_t> jitter(ceiling / 2,
                                                       std::max<std::int64_t>(ceiling, 1));
    reconnect_timer.expires_after(std::chrono::milliseconds{jitter(rng)});
    auto self = owner.shared_from_this();
    reconnect_timer.async_wait([this, self](beast::error_code ec) {
      if (!ec) connect();
    });
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    ++generation;
    reconnect_timer.cancel();
    resolver.cancel();
    with_stream([](auto& ws) { beast::get_lowest_layer(ws).close(); });
    auto waiting = std::move(pending);
    pending.clear();
    for (auto& [id, p] : waiting) {
      p.timer->cancel();
      p.handler(tl::unexpected(RpcError::of(RpcErrorKind::closed, "client stopped")));
    }
    set_state(WsState::stopped, "stopped");
  }
};

std::shared_ptr<WsClient> WsClient::create(asio::io_context& io, WsOptions options) {
  return std::shared_ptr<WsClient>(new WsClient(io, std::move(options)));
}

WsClient::WsClient(asio::io_context& io, WsOptions options)
    : impl_{std::make_unique<Impl>(*this, io, std::move(options))} {}

WsClient::~WsClient() = default;

void WsClient::start() {
  auto url = parse_ws_url(impl_->options.url);
  if (!url) {
    state_ = WsState::stopped;
    if (on_state_) on_state_(WsState::stopped, url.error());
    return;
  }
  impl_->url = *url;
  impl_->connect();
}

void WsClient::stop() { impl_->stop(); }

SubscriptionId WsClient::subscribe_heads(std::function<void(const rpc::BlockHeader&)> on_head) {
  const auto id = next_subscription_++;
  Subscription sub;
  sub.kind = SubscriptionKind::heads;
  sub.on_head = std::move(on_head);
  subscriptions_[id] = std::move(sub);
  if (state_ == WsState::connected) impl_->send_subscribe(id);
  return id;
}

SubscriptionId WsClient::subscribe_logs(const rpc::LogFilter& filter,
                                        std::function<void(const rpc::Log&)> on_log) {
  const auto id = next_subscription_++;
  Subscription sub;
  sub.kind = SubscriptionKind::logs;
  sub.filter = filter;
  sub.on_log = std::move(on_log);
  subscriptions_[id] = std::move(sub);
  if (state_ == WsState::connected) impl_->send_subscribe(id);
  return id;
}

SubscriptionId WsClient::subscribe_pending_transactions(
    std::function<void(const rpc::PendingTransaction&)> on_tx) {
  const auto id = next_subscription_++;
  Subscription sub;
  sub.kind = SubscriptionKind::pending_transactions;
  sub.on_pending = std::move(on_tx);
  subscriptions_[id] = std::move(sub);
  if (state_ == WsState::connected) impl_->send_subscribe(id);
  return id;
}

void WsClient::unsubscribe(SubscriptionId id) {
  const auto it = subscriptions_.find(id);
  if (it == subscriptions_.end()) return;
  if (!it->second.server_id.empty()) {
    by_server_id_.erase(it->second.server_id);
    if (state_ == WsState::connected)
      impl_->send_request("eth_unsubscribe", rpc::Json::array({it->second.server_id}),
                          [](const tl::expected<rpc::Json, RpcError>&) {});
  }
  subscriptions_.erase(it);
}

void WsClient::request(const std::string& method, rpc::Json params, ResponseHandler on_response,
                       std::function<void()> on_written) {
  impl_->send_request(method, std::move(params), std::move(on_response), std::move(on_written));
}

void WsClient::request_batch(const std::vector<rpc::Call>& calls,
                             std::vector<ResponseHandler> handlers,
                             std::function<void()> on_written) {
  impl_->send_batch(calls, std::move(handlers), std::move(on_written));
}

void WsClient::attach_server_id(SubscriptionId id, const std::string& server_id) {
  const auto it = subscriptions_.find(id);
  if (it == subscriptions_.end()) return;
  it->second.server_id = server_id;
  by_server_id_[server_id] = id;
}

void WsClient::dispatch(std::string_view text) {
  ++counters_.messages;
  // Hot path: log notifications of a known log subscription skip the general JSON parser.
  if (auto fast = parse_log_notification(text)) {
    const auto it = by_server_id_.find(fast->subscription);
    if (it != by_server_id_.end()) {
      const auto& sub = subscriptions_.at(it->second);
      if (sub.kind == SubscriptionKind::logs) {
        ++counters_.logs;
        if (sub.on_log) sub.on_log(fast->log);
        return;
      }
    }
  }
  // A batch's answers come back as one array of responses.
  if (const auto first = text.find_first_not_of(" \t\r\n");
      first != std::string_view::npos && text[first] == '[') {
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_array()) {
      ++counters_.invalid_json;
      return;
    }
    for (const auto& answer : doc) {
      const auto id = answer.find("id");
      if (!answer.is_object() || id == answer.end() || !id->is_number_unsigned()) {
        ++counters_.invalid_json;
        continue;
      }
      impl_->complete(id->get<std::uint64_t>(),
                      rpc::response_result(answer, id->get<std::uint64_t>()));
    }
    return;
  }
  auto kind_of = [this](const std::string& id) -> std::optional<SubscriptionKind> {
    const auto it = by_server_id_.find(id);
    if (it == by_server_id_.end()) return std::nullopt;
    return subscriptions_.at(it->second).kind;
  };
  auto message = parse_message(text, kind_of);
  if (!message) {
    if (message.error().kind == RpcErrorKind::mismatched_id) {
      ++counters_.unknown_subscription;
    } else {
      ++counters_.invalid_json;
    }
    return;
  }
  if (auto* head = std::get_if<HeadNotification>(&*message)) {
    ++counters_.heads;
    last_head_ = std::max(last_head_.value_or(0), head->head.number);
    const auto& sub = subscriptions_.at(by_server_id_.find(head->subscription)->second);
    if (sub.on_head) sub.on_head(head->head);
  } else if (auto* log = std::get_if<LogNotification>(&*message)) {
    ++counters_.logs;
    const auto& sub = subscriptions_.at(by_server_id_.find(log->subscription)->second);
    if (sub.on_log) sub.on_log(log->log);
  } else if (auto* pending = std::get_if<PendingTxNotification>(&*message)) {
    deliver_pending(by_server_id_.find(pending->subscription)->second, *pending);
  } else {
    auto& response = std::get<Response>(*message);
    impl_->complete(response.id, rpc::response_result(response.message, response.id));
  }
}

void WsClient::deliver_pending(SubscriptionId local, const PendingTxNotification& notification) {
  if (std::holds_alternative<RpcError>(notification.body)) {
    ++counters_.invalid_pending;
    return;
  }
  if (auto* hash = std::get_if<Hash>(&notification.body)) {
    fetch_pending(local, *hash);
    return;
  }
  ++counters_.pending_txs;
  const auto& sub = subscriptions_.at(local);
  if (sub.on_pending) sub.on_pending(std::get<rpc::PendingTransaction>(notification.body));
}

void WsClient::fetch_pending(SubscriptionId local, const Hash& hash) {
  // The handler lives in this client's table of pending requests, so `this` is alive whenever it
  // runs; the subscription may not be, hence the lookup by id.
  impl_->send_request(
      "eth_getTransactionByHash", rpc::Json::array({hex_encode(hash)}),
      [this, local, hash](const tl::expected<rpc::Json, RpcError>& r) {
        const auto it = subscriptions_.find(local);
        if (it == subscriptions_.end()) return;  // unsubscribed meanwhile
        if (!r) return;  // connection lost or timed out: the transaction may show up again later
        if (r->is_null()) return;  // mined and pruned, or dropped, before we asked
        const auto block = r->is_object() ? r->find("blockNumber") : r->end();
        if (block != r->end() && !block->is_null()) return;  // already mined: no longer pending
        auto tx = rpc::pending_transaction_from_json(*r);
        if (!tx || tx->hash != hash) {
          ++counters_.invalid_pending;
          return;
        }
        ++counters_.pending_txs;
        if (it->second.on_pending) it->second.on_pending(*tx);
      });
}

}  // namespace chain::ws
