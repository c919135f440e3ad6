#pragma once
// One block builder's (or MEV-Share relay's) HTTP endpoint, driven on the caller's io_context: a
// kept-alive Boost.Beast connection, over TLS for https (certificate and host name verified), one
// request in flight (HTTP/1.1 without pipelining) and the rest queued, a deadline per request
// covering connect, handshake, write and read. Never blocks the loop.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <tl/expected.hpp>

#include "chain/rpc/http_url.hpp"

namespace boost::asio::ssl {
class context;
}

namespace keeper::executors {

enum class BuilderError : std::uint8_t {
  resolve_failed,
  connect_failed,
  timeout,       // the request's deadline passed (connect, write or read)
  io_failed,     // the connection broke while writing or reading
  http_status,   // an answer other than 200
  bad_response,  // not a JSON-RPC answer
  rejected,      // a JSON-RPC error: the builder refused the bundle
  closed,        // the client was closed before the answer
  tls_failed,    // the TLS handshake failed (an untrusted certificate, or one for another host)
};

[[nodiscard]] std::string_view describe(BuilderError e) noexcept;

struct BuilderAnswer {
  std::string bundle_hash;  // result.bundleHash when the builder names one
};

using BuilderResult = tl::expected<BuilderAnswer, BuilderError>;

class BuilderClient : public std::enable_shared_from_this<BuilderClient> {
 public:
  // latency: from the request's start (its turn in the queue) to the answer or the failure.
  using Done = std::function<void(const BuilderResult&, std::chrono::nanoseconds latency)>;

  // The TLS settings https endpoints are reached with: the system's trust store, plus the PEM
  // certificates of `ca_file` when given (a builder or relay behind a private CA). The peer's
  // certificate must name the URL's host. One context serves every client of a process.
  static tl::expected<std::shared_ptr<boost::asio::ssl::context>, std::string> tls_context(
      const std::optional<std::string>& ca_file);

  // https:// needs `tls` (from tls_context); without it an https request fails with tls_failed.
  static std::shared_ptr<BuilderClient> make(boost::asio::io_context& io, chain::rpc::HttpUrl url,
                                             std::chrono::milliseconds timeout,
                                             std::shared_ptr<boost::asio::ssl::context> tls = {});
  BuilderClient(boost::asio::io_context& io, chain::rpc::HttpUrl url,
                std::chrono::milliseconds timeout, std::shared_ptr<boost::asio::ssl::context> tls);
  ~BuilderClient();
  BuilderClient(const BuilderClient&) = delete;
  BuilderClient& operator=(const BuilderClient&) = delete;

  // Queues one POST of `body` with the X-Flashbots-Signature header; `done` runs once, on the
  // io_context, with the builder's answer.
  void post(std::string body, std::string signature_header, Done done);
  // Fails what is queued and in flight with `closed` and drops the connection.
  void close();

  [[nodiscard]] const chain::rpc::HttpUrl& url() const noexcept { return url_; }
  // "host:port": the label this builder carries in metrics (no path, which may hold a key).
  [[nodiscard]] const std::string& label() const noexcept { return label_; }

 private:
  struct Request {
    std::string body;
    std::string signature_header;
    Done done;
  };

  struct Streams;  // the connection: plain TCP or TLS over it

  void start_next();
  void connect();
  void handshake();
  void write();
  void read();
  void finish(const BuilderResult& result);
  // A failure on a connection reused from an earlier request: the builder may have closed it
  // while idle, so the request is retried once on a fresh connection.
  bool retry_on_fresh_connection();
  void drop_connection();

  boost::asio::io_context& io_;
  chain::rpc::HttpUrl url_;
  std::string label_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::resolver resolver_;
  std::unique_ptr<Streams> streams_;
  boost::beast::flat_buffer buffer_;
  boost::beast::http::request<boost::beast::http::string_body> request_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  std::deque<Request> queue_;
  bool busy_ = false;
  bool connected_ = false;
  bool reused_ = false;   // the request in flight runs on a connection an earlier one used
  bool retried_ = false;  // the request in flight was already retried once
  bool closed_ = false;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace keeper::executors
