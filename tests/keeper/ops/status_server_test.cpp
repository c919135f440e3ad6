#include <catch2/catch.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
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
