#pragma once
// Follows one server-sent-events endpoint (http:// or https://) on the caller's io_context: a GET
// with Accept: text/event-stream, the body parsed as it arrives (chunked or not), every complete
// event handed to the caller. The connection is re-opened with exponential backoff (and jitter)
// whenever it fails, the server ends the stream, it answers other than 200, a line or event
// exceeds the limits, or nothing (not even a comment ping) arrives for `idle_timeout`.
// Every handler runs on the io_context's thread; stop() makes the client quiet at once.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <tl/expected.hpp>

#include "chain/sse/sse_parser.hpp"

namespace chain::sse {

struct SseClientOptions {
  std::string url;                                  // http://host[:port]/path or https://...
  std::chrono::milliseconds connect_timeout{5000};  // resolve + connect + TLS + response header
  // MEV-Share sends ":ping" every 15 s when idle; three missed pings mean a dead connection.
  std::chrono::milliseconds idle_timeout{45000};
  std::chrono::milliseconds reconnect_base{250};
  std::chrono::milliseconds reconnect_cap{15000};
  SseLimits limits;
  std::size_t max_header_bytes = 16 * 1024;
};

enum class SseState : std::uint8_t { connecting, streaming, waiting, stopped };

[[nodiscard]] std::string_view describe(SseState s) noexcept;

struct SseClientCounts {
  std::uint64_t connects = 0;     // connections that reached a 200 answer
  std::uint64_t disconnects = 0;  // streams lost or refused, for any reason (each one retried)
  std::uint64_t events = 0;
  std::uint64_t comments = 0;
  std::uint64_t oversized = 0;    // a line or event above the limits: the stream was dropped
  std::uint64_t http_errors = 0;  // an answer other than 200
  std::uint64_t idle_timeouts = 0;
};

class SseClient : public std::enable_shared_from_this<SseClient> {
 public:
  using OnEvent = std::function<void(const SseEvent&)>;
  using OnState = std::function<void(SseState, const std::string& why)>;

  // Refuses a URL that is not http:// or https://.
  static tl::expected<std::shared_ptr<SseClient>, std::string> create(boost::asio::io_context& io,
                                                                      SseClientOptions options);
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  void start(OnEvent on_event, OnState on_state = {});
  void stop();

  [[nodiscard]] SseState state() const noexcept { return state_; }
  [[nodiscard]] const SseClientCounts& counts() const noexcept { return counts_; }
  // "host:port" for logs and metrics (never the path, which may carry a key).
  [[nodiscard]] const std::string& label() const noexcept;

  struct Impl;

 private:
  explicit SseClient(std::unique_ptr<Impl> impl);
  friend struct Impl;
  std::unique_ptr<Impl> impl_;
  SseState state_ = SseState::stopped;
  SseClientCounts counts_;
};

}  // namespace chain::sse
