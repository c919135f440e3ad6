#include "keeper/executors/builder_client.hpp"

#include <iterator>

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <nlohmann/json.hpp>

#include "keeper/executors/flashbots_signature.hpp"

namespace keeper::executors {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// A builder's answer to eth_sendBundle is a few hundred bytes; anything far larger is not one.
constexpr std::size_t kMaxAnswerBytes = 64 * 1024;

BuilderResult parse_answer(const http::response<http::string_body>& response) {
  if (response.result() != http::status::ok) return tl::unexpected(BuilderError::http_status);
  const auto json = nlohmann::json::parse(response.body(), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return tl::unexpected(BuilderError::bad_response);
  if (json.contains("error")) return tl::unexpected(BuilderError::rejected);
  if (!json.contains("result")) return tl::unexpected(BuilderError::bad_response);
  BuilderAnswer answer;
  const auto& result = json.at("result");
  if (result.is_object() && result.contains("bundleHash") && result.at("bundleHash").is_string())
    answer.bundle_hash = result.at("bundleHash").get<std::string>();
  return answer;
}

}  // namespace

// One connection's stream: plain TCP, or TLS over it. A new one per connection (a TLS stream is
// not reused after its connection closes).
struct BuilderClient::Streams {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;

  beast::tcp_stream& lowest() { return plain ? *plain : secure->next_layer(); }
  template <class F>
  void with_stream(F&& f) {
    if (plain) {
      f(*plain);
    } else {
      f(*secure);
    }
  }
};

tl::expected<std::shared_ptr<asio::ssl::context>, std::string> BuilderClient::tls_context(
    const std::optional<std::string>& ca_file) {
  auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  beast::error_code ec;
  tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1,
                   ec);
  if (ec) return tl::unexpected("TLS options: " + ec.message());
  tls->set_default_verify_paths(ec);
  if (ec) return tl::unexpected("the system's trust store: " + ec.message());
  if (ca_file) {
    tls->load_verify_file(*ca_file, ec);
    if (ec) return tl::unexpected("TLS CA file '" + *ca_file + "': " + ec.message());
  }
  tls->set_verify_mode(asio::ssl::verify_peer, ec);
  if (ec) return tl::unexpected("TLS verify mode: " + ec.message());
  return tls;
}

std::string_view describe(BuilderError e) noexcept {
  switch (e) {
    case BuilderError::resolve_failed: return "cannot resolve the builder's host";
    case BuilderError::connect_failed: return "cannot connect to the builder";
    case BuilderError::timeout: return "the builder did not answer in time";
    case BuilderError::io_failed: return "the connection to the builder broke";
    case BuilderError::http_status: return "the builder answered with an HTTP error status";
    case BuilderError::bad_response: return "the builder's answer is not JSON-RPC";
    case BuilderError::rejected: return "the builder refused the bundle";
    case BuilderError::closed: return "the builder client was closed";
    case BuilderError::tls_failed:
      return "the TLS handshake with the builder failed (untrusted certificate, or another host's)";
  }
  return "unknown builder error";
}

std::shared_ptr<BuilderClient> BuilderClient::make(asio::io_context& io, chain::rpc::HttpUrl url,
                                                   std::chrono::milliseconds timeout,
                                                   std::shared_ptr<asio::ssl::context> tls) {
  return std::make_shared<BuilderClient>(io, std::move(url), timeout, std::move(tls));
}

BuilderClient::BuilderClient(asio::io_context& io, chain::rpc::HttpUrl url,
                             std::chrono::milliseconds timeout,
                             std::shared_ptr<asio::ssl::context> tls)
    : io_{io},
      url_{std::move(url)},
      label_{url_.host + ":" + std::to_string(url_.port)},
      timeout_{timeout},
      tls_{std::move(tls)},
      resolver_{io},
      streams_{std::make_unique<Streams>()} {}

BuilderClient::~BuilderClient() = default;

void BuilderClient::post(std::string body, std::string signature_header, Done done) {
  if (closed_) {
    asio::post(io_, [done = std::move(done)] {
      done(tl::unexpected(BuilderError::closed), std::chrono::nanoseconds{0});
    });
    return;
  }
  queue_.push_back(Request{std::move(body), std::move(signature_header), std::move(done)});
  if (!busy_) start_next();
}

void BuilderClient::close() {
  closed_ = true;
  resolver_.cancel();
  drop_connection();
  // The request in flight (the queue's front while busy) is answered by its handler, which sees
  // the cancelled socket; those waiting behind it are answered now.
  const auto keep =
      static_cast<std::ptrdiff_t>(std::min<std::size_t>(busy_ ? 1 : 0, queue_.size()));
  std::deque<Request> waiting(std::make_move_iterator(queue_.begin() + keep),
                              std::make_move_iterator(queue_.end()));
  queue_.erase(queue_.begin() + keep, queue_.end());
  for (auto& r : waiting)
    asio::post(io_, [done = std::move(r.done)] {
      done(tl::unexpected(BuilderError::closed), std::chrono::nanoseconds{0});
    });
}

void BuilderClient::start_next() {
  if (queue_.empty() || closed_) {
    busy_ = false;
    return;
  }
  busy_ = true;
  retried_ = false;
  started_ = std::chrono::steady_clock::now();
  const Request& r = queue_.front();
  request_ = decltype(request_){};
  request_.method(http::verb::post);
  request_.target(url_.target);
  request_.version(11);
  request_.set(http::field::host, url_.host_header());
  request_.set(http::field::content_type, "application/json");
  request_.set(http::field::connection, "keep-alive");
  request_.set(
      beast::string_view{kFlashbotsSignatureHeader.data(), kFlashbotsSignatureHeader.size()},
      r.signature_header);
  request_.body() = r.body;
  request_.prepare_payload();
  // One deadline for the whole request: connect and handshake (when needed), write and read.
  if (connected_) {
    streams_->lowest().expires_after(timeout_);
    reused_ = true;
    write();
  } else {
    reused_ = false;
    connect();
  }
}

void BuilderClient::connect() {
  if (url_.tls && !tls_) return finish(tl::unexpected(BuilderError::tls_failed));
  // A fresh stream per connection; the last one's operations have all completed by now.
  streams_ = std::make_unique<Streams>();
  if (url_.tls) {
    streams_->secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, *tls_);
  } else {
    streams_->plain = std::make_unique<beast::tcp_stream>(io_);
  }
  streams_->lowest().expires_after(timeout_);
  resolver_.async_resolve(
      url_.host, std::to_string(url_.port),
      [self = shared_from_this()](const beast::error_code& ec,
                                  const asio::ip::tcp::resolver::results_type& endpoints) {
        if (self->closed_) return self->finish(tl::unexpected(BuilderError::closed));
        if (ec) return self->finish(tl::unexpected(BuilderError::resolve_failed));
        self->streams_->lowest().async_connect(
            endpoints, [self](const beast::error_code& connect_ec, const asio::ip::tcp::endpoint&) {
              if (self->closed_) return self->finish(tl::unexpected(BuilderError::closed));
              if (connect_ec == beast::error::timeout)
                return self->finish(tl::unexpected(BuilderError::timeout));
              if (connect_ec) return self->finish(tl::unexpected(BuilderError::connect_failed));
              self->connected_ = true;
              beast::error_code ignored;
              self->streams_->lowest().socket().set_option(asio::ip::tcp::no_delay{true}, ignored);
              if (self->streams_->secure) return self->handshake();
              self->write();
            });
      });
}

void BuilderClient::handshake() {
  auto& secure = *streams_->secure;
  boost::system::error_code not_ip;
  (void)asio::ip::make_address(url_.host, not_ip);
  // SNI names a host, never an address (RFC 6066). SSL_set_tlsext_host_name is a macro with a C
  // cast; call what it expands to.
  if (not_ip && SSL_ctrl(secure.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                         TLSEXT_NAMETYPE_host_name, const_cast<char*>(url_.host.c_str())) != 1)
    return finish(tl::unexpected(BuilderError::tls_failed));
  // The certificate must name the host asked for (a DNS name, or an IP address SAN).
  secure.set_verify_callback(asio::ssl::host_name_verification(url_.host));
  secure.async_handshake(asio::ssl::stream_base::client,
                         [self = shared_from_this()](const beast::error_code& ec) {
                           if (self->closed_)
                             return self->finish(tl::unexpected(BuilderError::closed));
                           if (ec == beast::error::timeout)
                             return self->finish(tl::unexpected(BuilderError::timeout));
                           if (ec) return self->finish(tl::unexpected(BuilderError::tls_failed));
                           self->write();
                         });
}

void BuilderClient::write() {
  streams_->with_stream([&](auto& stream) {
    http::async_write(stream, request_,
                      [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                        if (self->closed_)
                          return self->finish(tl::unexpected(BuilderError::closed));
                        if (ec == beast::error::timeout)
                          return self->finish(tl::unexpected(BuilderError::timeout));
                        if (ec) {
                          if (self->retry_on_fresh_connection()) return;
                          return self->finish(tl::unexpected(BuilderError::io_failed));
                        }
                        self->read();
                      });
  });
}

void BuilderClient::read() {
  response_ = decltype(response_){};
  buffer_.clear();
  auto parser = std::make_shared<http::response_parser<http::string_body>>();
  parser->body_limit(kMaxAnswerBytes);
  streams_->with_stream([&](auto& stream) {
    http::async_read(stream, buffer_, *parser,
                     [self = shared_from_this(), parser](const beast::error_code& ec, std::size_t) {
                       if (self->closed_) return self->finish(tl::unexpected(BuilderError::closed));
                       if (ec == beast::error::timeout)
                         return self->finish(tl::unexpected(BuilderError::timeout));
                       if (ec) {
                         if (self->retry_on_fresh_connection()) return;
                         return self->finish(tl::unexpected(BuilderError::io_failed));
                       }
                       self->response_ = parser->release();
                       if (!self->response_.keep_alive()) self->drop_connection();
                       self->finish(parse_answer(self->response_));
                     });
  });
}

bool BuilderClient::retry_on_fresh_connection() {
  drop_connection();
  if (!reused_ || retried_) return false;
  retried_ = true;
  reused_ = false;
  connect();
  return true;
}

void BuilderClient::drop_connection() {
  // Only the socket is closed: an operation still pending on the stream completes (cancelled)
  // before connect() replaces it. No TLS close_notify: the builder learns of it from the FIN.
  if (streams_->plain || streams_->secure) {
    beast::error_code ignored;
    auto& lowest = streams_->lowest();
    lowest.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    lowest.close();
  }
  connected_ = false;
}

void BuilderClient::finish(const BuilderResult& result) {
  if (!result && result.error() != BuilderError::rejected &&
      result.error() != BuilderError::http_status && connected_)
    drop_connection();  // a broken or timed-out exchange leaves the stream unusable
  const auto latency = std::chrono::steady_clock::now() - started_;
  if (queue_.empty()) {  // closed while idle: nothing in flight to answer
    busy_ = false;
    return;
  }
  Done done = std::move(queue_.front().done);
  queue_.pop_front();
  busy_ = false;
  done(result, latency);
  if (!busy_) start_next();
}

}  // namespace keeper::executors
