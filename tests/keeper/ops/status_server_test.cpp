#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <memory>
#include <thread>

#include "keeper/ops/status_server.hpp"
#include "tests/support/http_get.hpp"

namespace asio = boost::asio;
using keeper::ops::HttpReply;
using keeper::ops::StatusServer;

namespace {

// The server runs on its own thread; the test talks to it over a real socket.
class Running {
 public:
  Running() : guard_{asio::make_work_guard(io_)} {
    server_ = StatusServer::start(io_, 0, [](const std::string& target) {
                if (target == "/metrics")
                  return HttpReply{200, "text/plain; version=0.0.4", "m 1\n"};
                if (target == "/healthz") return HttpReply{503, "text/plain", "unhealthy\n"};
                return HttpReply{404, "text/plain", "not found\n"};
              }).value();
    thread_ = std::thread{[this] { io_.run(); }};
  }
  ~Running() {
    asio::post(io_, [this] { server_->stop(); });
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;

  [[nodiscard]] std::uint16_t port() const { return server_->port(); }

  [[nodiscard]] std::string exchange(const std::string& request) const {
    return keeper::testing::http_exchange(port(), request);
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::shared_ptr<StatusServer> server_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("the status server answers GETs and refuses everything else", "[metrics][http]") {
  const Running server;
  REQUIRE(server.port() != 0);
  struct Row {
    const char* name;
    std::string request;
    std::string status_line;
    std::string body;
  };
  const std::string big_header = "X-Big: " + std::string(9000, 'a') + "\r\n";
  const std::vector<Row> rows{
      {"metrics", "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK", "m 1\n"},
      {"healthz", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 503 Service Unavailable",
       "unhealthy\n"},
      {"unknown path", "GET /x HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found", "not found\n"},
      {"POST", "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
       "HTTP/1.1 405 Method Not Allowed", "only GET\n"},
      {"a body", "GET /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
       "HTTP/1.1 400 Bad Request", "bad request\n"},
      {"oversized headers", "GET /metrics HTTP/1.1\r\n" + big_header + "\r\n",
       "HTTP/1.1 400 Bad Request", "bad request\n"},
      {"garbage", "\x01\x02 not http\r\n\r\n", "HTTP/1.1 400 Bad Request", "bad request\n"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto reply = server.exchange(row.request);
    CHECK(reply.rfind(row.status_line + "\r\n", 0) == 0);
    const auto body_at = reply.find("\r\n\r\n");
    REQUIRE(body_at != std::string::npos);
    CHECK(reply.substr(body_at + 4) == row.body);
  }
  // Still serving after the bad ones.
  CHECK(server.exchange("GET /metrics HTTP/1.0\r\n\r\n").find("m 1\n") != std::string::npos);
}

TEST_CASE("the status server binds 127.0.0.1 only and reports a busy port", "[metrics][http]") {
  const Running first;
  asio::io_context io;
  auto second =
      StatusServer::start(io, first.port(), [](const std::string&) { return HttpReply{}; });
  REQUIRE_FALSE(second.has_value());
  CHECK_THAT(second.error(), Catch::Contains("127.0.0.1:" + std::to_string(first.port())));
}

namespace {

// A client that connects and starts a request it never finishes (slowloris).
class SlowClient {
 public:
  explicit SlowClient(std::uint16_t port) : fd_{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)} {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    const std::string partial = "GET /healthz HTTP/1.1\r\nX-Slow: ";
    if (connected_) connected_ = ::send(fd_, partial.data(), partial.size(), MSG_NOSIGNAL) > 0;
  }
  ~SlowClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  SlowClient(const SlowClient&) = delete;
  SlowClient& operator=(const SlowClient&) = delete;
  [[nodiscard]] bool connected() const { return connected_; }

 private:
  int fd_;
  bool connected_ = false;
};

}  // namespace

TEST_CASE("slow connections cannot hold /healthz down", "[metrics][http]") {
  const Running server;
  // More slow clients than the server has slots, all holding their connection open mid-request.
  std::vector<std::unique_ptr<SlowClient>> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<SlowClient>(server.port()));
    REQUIRE(slow.back()->connected());
  }
  // Every health poll made while they hold on is answered (well inside any read deadline).
  const auto started = std::chrono::steady_clock::now();
  int answered = 0;
  const int polls = 21;
  for (int i = 0; i < polls; ++i) {
    const auto reply = server.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    if (reply.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0) ++answered;
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
  CHECK(answered == polls);
}
