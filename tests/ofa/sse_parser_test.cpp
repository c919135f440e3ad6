// The event-stream format, however the connection splits it, and its limits.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "chain/sse/sse_parser.hpp"

using namespace chain::sse;

namespace {

std::vector<SseEvent> parse_in_chunks(const std::string& stream, std::size_t chunk,
                                      SseLimits limits = {}) {
  std::vector<SseEvent> events;
  SseParser parser{[&](const SseEvent& e) { events.push_back(e); }, limits};
  for (std::size_t at = 0; at < stream.size(); at += chunk)
    REQUIRE(parser.feed(std::string_view{stream}.substr(at, chunk)));
  return events;
}

}  // namespace

TEST_CASE("events are the same however the stream is split", "[ofa][sse]") {
  struct Case {
    const char* name;
    std::string stream;
    std::vector<std::string> data;
  };
  const std::vector<Case> cases{
      {"MEV-Share's ping then an event",
       ":ping\n\ndata: {\"hash\":\"0x1\"}\n\n",
       {"{\"hash\":\"0x1\"}"}},
      {"CRLF line ends", "data: a\r\n\r\ndata: b\r\n\r\n", {"a", "b"}},
      {"CR line ends", "data: a\r\rdata: b\r\r", {"a", "b"}},
      {"several data lines join with LF", "data: a\ndata:b\ndata:  c\n\n", {"a\nb\n c"}},
      {"an event without data is not dispatched", "event: x\n\nid: 7\n\n", {}},
      {"an unfinished event waits for its blank line", "data: a\n\ndata: b\n", {"a"}},
      {"unknown fields and a field with no colon are ignored",
       "foo: 1\ndata\ndata: z\n\n",
       {"\nz"}},
  };
  for (const auto& c : cases) {
    for (std::size_t chunk :
         {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, c.stream.size()}) {
      INFO(c.name << ", chunks of " << chunk);
      const auto events = parse_in_chunks(c.stream, chunk);
      REQUIRE(events.size() == c.data.size());
      for (std::size_t i = 0; i < events.size(); ++i) CHECK(events[i].data == c.data[i]);
    }
  }
}

TEST_CASE("event type, id and retry advice are read", "[ofa][sse]") {
  std::vector<SseEvent> events;
  SseParser parser{[&](const SseEvent& e) { events.push_back(e); }};
  REQUIRE(parser.feed("retry: 3000\nevent: bundle\nid: 42\ndata: x\n\ndata: y\n\n:c\n"));
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == "bundle");
  CHECK(events[0].id == "42");
  CHECK(events[1].type == "message");
  CHECK(events[1].id == "42");  // the last event id persists
  CHECK(parser.retry_ms() == 3000);
  CHECK(parser.counts().events == 2);
  CHECK(parser.counts().comments == 1);
}

TEST_CASE("a line or an event over the limits is refused until reset", "[ofa][sse]") {
  const SseLimits limits{64, 100};
  int events = 0;
  SseParser parser{[&](const SseEvent&) { ++events; }, limits};
  // A line longer than 64 bytes, even split across chunks and never ended.
  REQUIRE(parser.feed("data: " + std::string(40, 'x')));
  auto refused = parser.feed(std::string(40, 'x'));
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == SseError::line_too_long);
  CHECK_FALSE(parser.feed("\n\ndata: ok\n\n"));  // stays refused
  parser.reset();
  REQUIRE(parser.feed("data: ok\n\n"));
  CHECK(events == 1);
  // Short lines adding up to an event over 100 bytes.
  std::string many;
  for (int i = 0; i < 5; ++i) many += "data: " + std::string(30, 'y') + "\n";
  auto big = parser.feed(many);
  REQUIRE_FALSE(big);
  CHECK(big.error() == SseError::event_too_large);
  CHECK(events == 1);
}
