#pragma once
// Server-sent events (the WHATWG "text/event-stream" format), parsed incrementally from whatever
// chunks the connection delivers. The stream is untrusted: a line or an event larger than the
// limits is an error the caller answers by dropping the connection, never an unbounded buffer.
//
// Lines end in LF, CRLF or CR. "field: value" (one optional space after the colon); a line
// starting with ':' is a comment (keep-alive pings); a blank line dispatches the event, whose
// data is its data lines joined by LF. An event with no data line is not dispatched.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace chain::sse {

struct SseLimits {
  std::size_t max_line_bytes = 1024 * 1024;
  std::size_t max_event_bytes = 1024 * 1024;  // the data of one event, joined
};

struct SseEvent {
  std::string type = "message";  // the "event:" field
  std::string data;
  std::optional<std::string> id;
};

enum class SseError : std::uint8_t {
  line_too_long,
  event_too_large,
};

[[nodiscard]] std::string_view describe(SseError e) noexcept;

struct SseCounts {
  std::uint64_t events = 0;
  std::uint64_t comments = 0;  // ":ping" and other comment lines
};

class SseParser {
 public:
  using OnEvent = std::function<void(const SseEvent&)>;

  explicit SseParser(OnEvent on_event, SseLimits limits = {});

  // Feeds the next bytes of the stream; events complete in them are dispatched before it
  // returns. After an error the parser keeps refusing until reset().
  tl::expected<void, SseError> feed(std::string_view bytes);
  // A new connection: forgets any partial line and event.
  void reset();
  // The server's "retry:" advice, in milliseconds, when it gave one.
  [[nodiscard]] std::optional<std::uint64_t> retry_ms() const noexcept { return retry_ms_; }
  [[nodiscard]] const SseCounts& counts() const noexcept { return counts_; }

 private:
  tl::expected<void, SseError> line(std::string_view text);

  OnEvent on_event_;
  SseLimits limits_;
  std::string line_;
  bool after_cr_ = false;  // the last byte was CR: a following LF ends nothing new
  SseEvent event_;
  bool has_data_ = false;
  std::optional<SseError> failed_;
  std::optional<std::uint64_t> retry_ms_;
  SseCounts counts_;
};

}  // namespace chain::sse
