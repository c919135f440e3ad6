#include "keeper/ops/status_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <list>

namespace keeper::ops {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::size_t kMaxConnections = 32;
constexpr std::uint32_t kMaxHeaderBytes = 8 * 1024;
// A scraper sends its whole request at once; a client still sending headers after this is slow
// or hostile. Short, so idle sockets cannot hold the slots for long.
constexpr auto kHeaderDeadline = std::chrono::seconds(2);
constexpr auto kWriteDeadline = std::chrono::seconds(5);

class Session;

// What sessions share with the server; sessions keep it alive even if the server goes first.
struct Shared {
  HttpHandler handler;
  std::size_t open = 0;  // sessions holding a slot
  // Sessions still waiting for their request, oldest first: when every slot is taken, the oldest
  // of them gives its slot to the newcomer, so slow clients cannot keep /healthz from answering.
  std::list<std::weak_ptr<Session>> reading;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_{std::move(socket)}, shared_{std::move(shared)} {
    ++shared_->open;
  }
  ~Session() {
    leave_reading();
    if (holds_slot_) --shared_->open;
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() {
    reading_at_ = shared_->reading.insert(shared_->reading.end(), weak_from_this());
    in_reading_ = true;
    parser_.header_limit(kMaxHeaderBytes);
    parser_.body_limit(0);
    stream_.expires_after(kHeaderDeadline);
    http::async_read(
        stream_, buffer_, parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  // Gives up the slot now and drops the connection; the pending read ends with an error.
  void evict() {
    leave_reading();
    if (holds_slot_) --shared_->open;
    holds_slot_ = false;
    stream_.close();
  }

 private:
  void leave_reading() {
    if (!in_reading_) return;
    shared_->reading.erase(reading_at_);
    in_reading_ = false;
  }

  void on_read(beast::error_code ec) {
    leave_reading();
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || !stream_.socket().is_open())
      return;
    HttpReply reply;
    if (ec) {
      reply = {400, "text/plain; charset=utf-8", "bad request\n"};
    } else if (parser_.get().method() != http::verb::get &&
               parser_.get().method() != http::verb::head) {
      reply = {405, "text/plain; charset=utf-8", "only GET\n"};
    } else {
      reply = shared_->handler(std::string{parser_.get().target()});
    }
    response_.result(reply.status);
    response_.version(11);
    response_.set(http::field::server, "keeper");
    response_.set(http::field::content_type, reply.content_type);
    response_.set(http::field::connection, "close");
    response_.body() = std::move(reply.body);
    response_.prepare_payload();
    stream_.expires_after(kWriteDeadline);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::empty_body> parser_;
  http::response<http::string_body> response_;
  std::shared_ptr<Shared> shared_;
  std::list<std::weak_ptr<Session>>::iterator reading_at_;
  bool in_reading_ = false;
  bool holds_slot_ = true;
};

// Frees a slot for a newcomer by evicting the session that has waited longest for its request.
// False when every slot is busy answering (then the newcomer is turned away).
bool evict_oldest_reader(Shared& shared) {
  while (!shared.reading.empty()) {
    auto oldest = shared.reading.front().lock();
    if (!oldest) {
      shared.reading.pop_front();
      continue;
    }
    oldest->evict();
    return true;
  }
  return false;
}

class Server final : public StatusServer, public std::enable_shared_from_this<Server> {
 public:
  Server(asio::io_context& io, HttpHandler handler)
      : acceptor_{io}, shared_{std::make_shared<Shared>(Shared{std::move(handler), 0, {}})} {}

  tl::expected<void, std::string> listen(std::uint16_t port) {
    beast::error_code ec;
    const tcp::endpoint at{asio::ip::make_address("127.0.0.1"), port};
    acceptor_.open(at.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(at, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return tl::unexpected("cannot listen on 127.0.0.1:" + std::to_string(port) + ": " +
                            ec.message());
    return {};
  }

  void accept() {
    acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
      if (!ec) {
        if (self->shared_->open < kMaxConnections || evict_oldest_reader(*self->shared_))
          std::make_shared<Session>(std::move(socket), self->shared_)->start();
        // Every slot busy writing an answer: the socket is closed as it goes out of scope.
      }
      self->accept();
    });
  }

  [[nodiscard]] std::uint16_t port() const noexcept override {
    beast::error_code ec;
    const auto at = acceptor_.local_endpoint(ec);
    return ec ? 0 : at.port();
  }

  void stop() override {
    beast::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  tcp::acceptor acceptor_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace

tl::expected<std::shared_ptr<StatusServer>, std::string> StatusServer::start(
    boost::asio::io_context& io, std::uint16_t port, HttpHandler handler) {
  auto server = std::make_shared<Server>(io, std::move(handler));
  if (auto ok = server->listen(port); !ok) return tl::unexpected(ok.error());
  server->accept();
  return server;
}

}  // namespace keeper::ops
