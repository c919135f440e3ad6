#include "chain/sse/sse_parser.hpp"

#include <algorithm>

namespace chain::sse {

std::string_view describe(SseError e) noexcept {
  switch (e) {
    case SseError::line_too_long: return "a line of the event stream is longer than allowed";
    case SseError::event_too_large: return "an event of the stream is larger than allowed";
  }
  return "unknown event stream error";
}

SseParser::SseParser(OnEvent on_event, SseLimits limits)
    : on_event_{std::move(on_event)}, limits_{limits} {}

void SseParser::reset() {
  line_.clear();
  after_cr_ = false;
  event_ = SseEvent{};
  has_data_ = false;
  failed_.reset();
}

tl::expected<void, SseError> SseParser::feed(std::string_view bytes) {
  if (failed_) return tl::unexpected(*failed_);
  std::size_t at = 0;
  while (at < bytes.size()) {
    if (after_cr_ && bytes[at] == '\n') {  // the LF of a CRLF whose CR ended the line
      after_cr_ = false;
      ++at;
      continue;
    }
    after_cr_ = false;
    const auto end = bytes.find_first_of("\r\n", at);
    const std::size_t stop = end == std::string_view::npos ? bytes.size() : end;
    if (line_.size() + (stop - at) > limits_.max_line_bytes) {
      failed_ = SseError::line_too_long;
      return tl::unexpected(*failed_);
    }
    line_.append(bytes.substr(at, stop - at));
    if (end == std::string_view::npos) break;  // the line continues in the next chunk
    after_cr_ = bytes[end] == '\r';
    at = end + 1;
    std::string text = std::move(line_);
    line_.clear();
    if (auto ok = line(text); !ok) {
      failed_ = ok.error();
      return ok;
    }
  }
  return {};
}

tl::expected<void, SseError> SseParser::line(std::string_view text) {
  if (text.empty()) {  // dispatch
    if (has_data_) {
      ++counts_.events;
      if (on_event_) on_event_(event_);
    }
    const auto id = event_.id;  // the last event id persists across events
    event_ = SseEvent{};
    event_.id = id;
    has_data_ = false;
    return {};
  }
  if (text.front() == ':') {
    ++counts_.comments;
    return {};
  }
  const auto colon = text.find(':');
  const std::string_view field = text.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = text.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    const std::size_t added = value.size() + (has_data_ ? 1 : 0);
    if (event_.data.size() + added > limits_.max_event_bytes)
      return tl::unexpected(SseError::event_too_large);
    if (has_data_) event_.data.push_back('\n');
    event_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    event_.type = std::string{value};
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) event_.id = std::string{value};
  } else if (field == "retry") {
    if (!value.empty() && value.size() <= 9 &&
        std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
      retry_ms_ = std::stoull(std::string{value});
  }
  // Any other field is ignored, as the format says.
  return {};
}

}  // namespace chain::sse
