// BuilderClient over https (builders and MEV-Share relays are TLS endpoints): against a local TLS
// server whose certificate the test makes with openssl, a request gets its answer only when the
// certificate is trusted and names the host asked for; the connection is kept alive across
// requests.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "keeper/executors/builder_client.hpp"
#include "tests/support/io_wait.hpp"
#include "tests/support/run_command.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using keeper::executors::BuilderClient;
using keeper::executors::BuilderError;
using keeper::executors::BuilderResult;

// A self-signed certificate and its key, for the subject alternative names given.
struct Certificate {
  fs::path cert;
  fs::path key;
};

Certificate make_certificate(const fs::path& dir, const std::string& name,
                             const std::string& alt_names) {
  const Certificate c{dir / (name + ".pem"), dir / (name + "-key.pem")};
  const auto made = keeper::testing::run_command(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=" +
      name + " -addext subjectAltName=" + alt_names + " -keyout " + c.key.string() + " -out " +
      c.cert.string());
  INFO(made.output);
  REQUIRE(made.exit_code == 0);
  return c;
}

// One TLS endpoint on 127.0.0.1 answering every POST with a bundle hash, on its own thread.
class TlsBuilder {
 public:
  explicit TlsBuilder(const Certificate& c) : acceptor_{io_} {
    tls_.use_certificate_chain_file(c.cert.string());
    tls_.use_private_key_file(c.key.string(), asio::ssl::context::pem);
    const asio::ip::tcp::endpoint at{asio::ip::make_address("127.0.0.1"), 0};
    acceptor_.open(at.protocol());
    acceptor_.bind(at);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~TlsBuilder() {
    stop_ = true;
    // A connection wakes the blocking accept, which then sees stop_.
    beast::error_code ignored;
    asio::io_context waker;
    asio::ip::tcp::socket knock{waker};
    knock.connect({asio::ip::make_address("127.0.0.1"), port_}, ignored);
    if (thread_.joinable()) thread_.join();
  }
  TlsBuilder(const TlsBuilder&) = delete;
  TlsBuilder& operator=(const TlsBuilder&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] int connections() const { return connections_.load(); }
  [[nodiscard]] int requests() const { return requests_.load(); }

 private:
  // One connection at a time, synchronously: enough for one client.
  void serve() {
    while (!stop_) {
      beast::error_code ec;
      asio::ip::tcp::socket socket{io_};
      acceptor_.accept(socket, ec);
      if (ec || stop_) return;
      ++connections_;
      beast::ssl_stream<asio::ip::tcp::socket> stream{std::move(socket), tls_};
      stream.handshake(asio::ssl::stream_base::server, ec);
      if (ec) continue;  // the client refused our certificate
      beast::flat_buffer buffer;
      for (;;) {
        http::request<http::string_body> request;
        http::read(stream, buffer, request, ec);
        if (ec) break;
        ++requests_;
        http::response<http::string_body> response{http::status::ok, 11};
        response.set(http::field::content_type, "application/json");
        response.keep_alive(request.keep_alive());
        response.body() = R"({"jsonrpc":"2.0","id":1,"result":{"bundleHash":"0xb0"}})";
        response.prepare_payload();
        http::write(stream, response, ec);
        if (ec) break;
      }
    }
  }

  asio::io_context io_;
  asio::ssl::context tls_{asio::ssl::context::tls_server};
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

// Posts one request and runs the loop until it is answered (bounded).
BuilderResult post(asio::io_context& io, BuilderClient& client) {
  std::optional<BuilderResult> answer;
  client.post(R"({"jsonrpc":"2.0","id":1,"method":"eth_sendBundle","params":[]})", "0xsearcher:0x",
              [&](const BuilderResult& r, std::chrono::nanoseconds) { answer = r; });
  REQUIRE(keeper::testing::run_until(
      io, [&] { return answer.has_value(); }, std::chrono::milliseconds{10000}));
  return *answer;
}

}  // namespace

TEST_CASE("an https builder is answered only with a trusted certificate for its host",
          "[executors][tls]") {
  const fs::path dir =
      fs::temp_directory_path() / ("keeper-builder-tls-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto local = make_certificate(dir, "builder", "IP:127.0.0.1,DNS:localhost");
  const auto elsewhere = make_certificate(dir, "other", "DNS:builder.example");
  struct Row {
    const char* name;
    const Certificate& served;
    std::optional<fs::path> trusted;  // the CA file keeper is given
    bool answered;
  };
  const Row rows[] = {
      {"its certificate trusted and naming 127.0.0.1", local, local.cert, true},
      {"not in the trust store", local, std::nullopt, false},
      {"trusted, but for another host", elsewhere, elsewhere.cert, false},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      TlsBuilder server{row.served};
      asio::io_context io;
      auto tls = BuilderClient::tls_context(
          row.trusted ? std::optional<std::string>{row.trusted->string()} : std::nullopt);
      REQUIRE(tls.has_value());
      auto url = chain::rpc::parse_http_url("https://127.0.0.1:" + std::to_string(server.port()) +
                                            "/relay");
      REQUIRE(url.has_value());
      auto client = BuilderClient::make(io, *url, std::chrono::milliseconds{5000}, *tls);
      const auto first = post(io, *client);
      if (row.answered) {
        REQUIRE(first.has_value());
        CHECK(first->bundle_hash == "0xb0");
        // The next request reuses the connection and its TLS session.
        const auto second = post(io, *client);
        REQUIRE(second.has_value());
        CHECK(server.requests() == 2);
        CHECK(server.connections() == 1);
      } else {
        REQUIRE_FALSE(first.has_value());
        CHECK(first.error() == BuilderError::tls_failed);
        CHECK(server.requests() == 0);
      }
      client->close();
    }
  }
  // An https URL without TLS settings fails cleanly, as does a CA file that is not PEM.
  asio::io_context io;
  auto url = chain::rpc::parse_http_url("https://127.0.0.1:1/");
  REQUIRE(url.has_value());
  auto bare = BuilderClient::make(io, *url, std::chrono::milliseconds{1000});
  const auto refused = post(io, *bare);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error() == BuilderError::tls_failed);
  std::ofstream{dir / "junk.pem"} << "not a certificate\n";
  CHECK_FALSE(BuilderClient::tls_context((dir / "junk.pem").string()).has_value());
  fs::remove_all(dir);
}
