#include "chain/sse/sse_client.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <optional>
#include <random>

#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "chain/rpc/http_url.hpp"

namespace chain::sse {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string_view describe(SseState s) noexcept {
  switch (s) {
    case SseState::connecting: return "connecting";
    case SseState::streaming: return "streaming";
    case SseState::waiting: return "waiting to reconnect";
    case SseState::stopped: return "stopped";
  }
  return "unknown";
}

struct SseClient::Impl {
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;
  using Parser = http::response_parser<http::buffer_body>;

  Impl(asio::io_context& context, SseClientOptions opts, rpc::HttpUrl parsed)
      : io{context},
        options{std::move(opts)},
        url{std::move(parsed)},
        label{url.host + ":" + std::to_string(url.port)},
        resolver{context},
        reconnect_timer{context},
        buffer{options.max_header_bytes + 4096},
        parser_events{[this](const SseEvent& e) {
                        ++owner->counts_.events;
                        if (on_event) on_event(e);
                      },
                      options.limits} {
    tls.set_default_verify_paths();
    tls.set_verify_mode(asio::ssl::verify_peer);
  }

  template <class F>
  void with_stream(F&& f) {
    if (plain) f(*plain);
    if (secure) f(*secure);
  }

  beast::tcp_stream& lowest() { return plain ? *plain : beast::get_lowest_layer(*secure); }

  void set_state(SseState s, const std::string& why) {
    owner->state_ = s;
    if (on_state) on_state(s, why);
  }

  void close_streams() {
    beast::error_code ignored;
    if (plain) plain->socket().close(ignored);
    if (secure) beast::get_lowest_layer(*secure).socket().close(ignored);
    plain.reset();
    secure.reset();
  }

  void connect() {
    if (stopped) return;
    ++generation;
    close_streams();
    buffer.clear();
    parser.reset();
    parser_events.reset();
    set_state(SseState::connecting, label);
    const auto gen = generation;
    auto self = owner->shared_from_this();
    resolver.async_resolve(
        url.host, std::to_string(url.port),
        [this, self, gen](const beast::error_code& ec, const tcp::resolver::results_type& results) {
          if (gen != generation) return;
          if (ec) return fail("resolve: " + ec.message());
          on_resolved(results);
        });
  }

  void on_resolved(const tcp::resolver::results_type& results) {
    if (url.tls)
      secure = std::make_unique<TlsStream>(io, tls);
    else
      plain = std::make_unique<beast::tcp_stream>(io);
    const auto gen = generation;
    auto self = owner->shared_from_this();
    lowest().expires_after(options.connect_timeout);
    lowest().async_connect(results,
                           [this, self, gen](const beast::error_code& ec, const tcp::endpoint&) {
                             if (gen != generation) return;
                             if (ec) return fail("connect: " + ec.message());
                             beast::error_code ignored;
                             lowest().socket().set_option(tcp::no_delay{true}, ignored);
                             if (secure) return handshake();
                             write_request();
                           });
  }

  void handshake() {
    // SNI, and the certificate must name the host asked for. SSL_set_tlsext_host_name is a
    // macro with a C cast; call what it expands to.
    if (SSL_ctrl(secure->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(url.host.c_str())) != 1)
      return fail("TLS: cannot set SNI");
    secure->set_verify_callback(asio::ssl::host_name_verification(url.host));
    const auto gen = generation;
    auto self = owner->shared_from_this();
    secure->async_handshake(asio::ssl::stream_base::client,
                            [this, self, gen](const beast::error_code& ec) {
                              if (gen != generation) return;
                              if (ec) return fail("TLS handshake: " + ec.message());
                              write_request();
                            });
  }

  void write_request() {
    request = {};
    request.method(http::verb::get);
    request.target(url.target);
    request.version(11);
    request.set(http::field::host, url.host_header());
    request.set(http::field::accept, "text/event-stream");
    request.set(http::field::cache_control, "no-cache");
    request.set(http::field::user_agent, "keeper");
    const auto gen = generation;
    auto self = owner->shared_from_this();
    with_stream([&](auto& stream) {
      http::async_write(stream, request,
                        [this, self, gen](const beast::error_code& ec, std::size_t) {
                          if (gen != generation) return;
                          if (ec) return fail("write: " + ec.message());
                          read_header();
                        });
    });
  }

  void read_header() {
    parser.emplace();
    parser->header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser->body_limit(boost::none);  // an event stream never ends; the SSE parser bounds it
    const auto gen = generation;
    auto self = owner->shared_from_this();
    with_stream([&](auto& stream) {
      http::async_read_header(stream, buffer, *parser,
                              [this, self, gen](const beast::error_code& ec, std::size_t) {
                                if (gen != generation) return;
                                if (ec) return fail("response header: " + ec.message());
                                const auto status = parser->get().result_int();
                                if (status != 200) {
                                  ++owner->counts_.http_errors;
                                  return fail("HTTP status " + std::to_string(status));
                                }
                                ++owner->counts_.connects;
                                failures = 0;
                                set_state(SseState::streaming, label);
                                read_body();
                              });
    });
  }

  void read_body() {
    if (parser->is_done()) return fail("the server ended the stream");
    parser->get().body().data = chunk.data();
    parser->get().body().size = chunk.size();
    parser->get().body().more = true;
    lowest().expires_after(options.idle_timeout);
    const auto gen = generation;
    auto self = owner->shared_from_this();
    with_stream([&](auto& stream) {
      http::async_read_some(stream, buffer, *parser,
                            [this, self, gen](beast::error_code ec, std::size_t) {
                              if (gen != generation) return;
                              if (ec == http::error::need_buffer) ec = {};
                              const std::size_t got = chunk.size() - parser->get().body().size;
                              if (got > 0) {
                                const auto before = parser_events.counts().comments;
                                auto fed = parser_events.feed(std::string_view{chunk.data(), got});
                                owner->counts_.comments += parser_events.counts().comments - before;
                                if (stopped || gen != generation) return;  // a handler stopped us
                                if (!fed) {
                                  ++owner->counts_.oversized;
                                  return fail(std::string{describe(fed.error())});
                                }
                              }
                              if (ec == beast::error::timeout) {
                                ++owner->counts_.idle_timeouts;
                                return fail("no data for the idle timeout");
                              }
                              if (ec) return fail("read: " + ec.message());
                              read_body();
                            });
    });
  }

  void fail(const std::string& why) {
    if (stopped) return;
    ++generation;
    close_streams();
    ++owner->counts_.disconnects;
    const auto exponent = std::min(failures, 16);
    ++failures;
    using std::chrono::milliseconds;
    milliseconds delay = std::min<milliseconds>(
        milliseconds{options.reconnect_base.count() << exponent}, options.reconnect_cap);
    if (const auto advice = parser_events.retry_ms())
      delay = std::max(delay, std::min(milliseconds(static_cast<milliseconds::rep>(*advice)),
                                       options.reconnect_cap));
    // Jitter (50-100%): many keepers reconnecting to one stream should not arrive together.
    std::uniform_int_distribution<milliseconds::rep> spread(delay.count() / 2, delay.count());
    delay = milliseconds(spread(rng));
    set_state(SseState::waiting, why);
    const auto gen = generation;
    auto self = owner->shared_from_this();
    reconnect_timer.expires_after(delay);
    reconnect_timer.async_wait([this, self, gen](const beast::error_code& ec) {
      if (ec || gen != generation) return;
      connect();
    });
  }

  void stop() {
    stopped = true;
    ++generation;
    resolver.cancel();
    reconnect_timer.cancel();
    close_streams();
    set_state(SseState::stopped, "stopped");
  }

  SseClient* owner = nullptr;
  asio::io_context& io;
  SseClientOptions options;
  rpc::HttpUrl url;
  std::string label;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  tcp::resolver resolver;
  asio::steady_timer reconnect_timer;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<TlsStream> secure;
  beast::flat_buffer buffer;
  http::request<http::empty_body> request;
  std::optional<Parser> parser;
  std::array<char, 16 * 1024> chunk{};
  SseParser parser_events;
  OnEvent on_event;
  OnState on_state;
  bool stopped = true;
  std::uint64_t generation = 0;
  int failures = 0;
  std::mt19937_64 rng{std::random_device{}()};
};

tl::expected<std::shared_ptr<SseClient>, std::string> SseClient::create(asio::io_context& io,
                                                                        SseClientOptions options) {
  auto url = rpc::parse_http_url(options.url);
  if (!url) return tl::unexpected("event stream '" + options.url + "': " + url.error());
  auto impl = std::make_unique<Impl>(io, std::move(options), std::move(*url));
  std::shared_ptr<SseClient> client{new SseClient(std::move(impl))};
  client->impl_->owner = client.get();
  return client;
}

SseClient::SseClient(std::unique_ptr<Impl> impl) : impl_{std::move(impl)} {}

SseClient::~SseClient() = default;

const std::string& SseClient::label() const noexcept { return impl_->label; }

void SseClient::start(OnEvent on_event, OnState on_state) {
  impl_->on_event = std::move(on_event);
  impl_->on_state = std::move(on_state);
  impl_->stopped = false;
  impl_->failures = 0;
  impl_->connect();
}

void SseClient::stop() { impl_->stop(); }

}  // namespace chain::sse
