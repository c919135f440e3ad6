// The event-stream client and the OFA collector against a real local event-stream server
// (tests/support/test_sse_server): events arrive, a dropped stream is re-opened, an oversized
// event drops the connection (and the stream resumes), a hint that is not JSON is counted.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "chain/hex.hpp"
#include "chain/sse/sse_client.hpp"
#include "keeper/ofa/ofa_collector.hpp"
#include "keeper/process/source_dir.hpp"
#include "tests/support/io_wait.hpp"
#include "tests/support/test_sse_server.hpp"

using namespace std::chrono_literals;
using keeper::testing::run_until;
using keeper::testing::TestSseServer;

namespace {

chain::sse::SseClientOptions fast_options(const std::string& url) {
  chain::sse::SseClientOptions o;
  o.url = url;
  o.reconnect_base = 20ms;
  o.reconnect_cap = 200ms;
  o.connect_timeout = 2000ms;
  return o;
}

}  // namespace

TEST_CASE("the SSE client receives events and comments from a stream", "[ofa][sse]") {
  TestSseServer server;
  boost::asio::io_context io;
  auto client = chain::sse::SseClient::create(io, fast_options(server.url())).value();
  std::vector<std::string> got;
  client->start([&](const chain::sse::SseEvent& e) { got.push_back(e.data); });
  REQUIRE(run_until(
      io, [&] { return server.streams_opened() == 1; }, 5000ms));
  server.push(":ping\n\n");
  server.send_event("first");
  server.push("data: sec");  // split mid-line across chunks
  server.push("ond\n\n");
  REQUIRE(run_until(
      io, [&] { return got.size() == 2; }, 5000ms));
  CHECK(got == std::vector<std::string>{"first", "second"});
  CHECK(client->counts().comments == 1);
  CHECK(client->counts().connects == 1);
  CHECK(client->state() == chain::sse::SseState::streaming);
  client->stop();
  CHECK(client->state() == chain::sse::SseState::stopped);
}

TEST_CASE("the SSE client re-opens a stream the server drops, and one it refused", "[ofa][sse]") {
  TestSseServer server;
  boost::asio::io_context io;
  auto client = chain::sse::SseClient::create(io, fast_options(server.url())).value();
  std::vector<std::string> got;
  client->start([&](const chain::sse::SseEvent& e) { got.push_back(e.data); });
  REQUIRE(run_until(
      io, [&] { return server.streams_opened() == 1; }, 5000ms));
  server.send_event("before");
  REQUIRE(run_until(
      io, [&] { return got.size() == 1; }, 5000ms));

  server.set_status(503);
  server.drop_clients();
  REQUIRE(run_until(
      io, [&] { return client->counts().http_errors >= 1; }, 5000ms));
  server.set_status(200);
  REQUIRE(run_until(
      io, [&] { return server.streams_opened() == 2; }, 5000ms));
  server.send_event("after");
  REQUIRE(run_until(
      io, [&] { return got.size() == 2; }, 5000ms));
  CHECK(got.back() == "after");
  CHECK(client->counts().connects == 2);
  CHECK(client->counts().disconnects >= 2);  // the drop and the refusal
  client->stop();
}

TEST_CASE("an oversized event drops the connection, and the stream resumes", "[ofa][sse]") {
  TestSseServer server;
  boost::asio::io_context io;
  auto options = fast_options(server.url());
  options.limits = {4096, 4096};
  auto client = chain::sse::SseClient::create(io, options).value();
  std::vector<std::string> got;
  client->start([&](const chain::sse::SseEvent& e) { got.push_back(e.data); });
  REQUIRE(run_until(
      io, [&] { return server.streams_opened() == 1; }, 5000ms));
  server.send_event(std::string(10'000, 'x'));
  REQUIRE(run_until(
      io, [&] { return client->counts().oversized == 1; }, 5000ms));
  REQUIRE(run_until(
      io, [&] { return server.streams_opened() == 2; }, 5000ms));
  server.send_event("small");
  REQUIRE(run_until(
      io, [&] { return !got.empty(); }, 5000ms));
  CHECK(got == std::vector<std::string>{"small"});
  client->stop();
}

TEST_CASE("a URL that is not http(s) is refused", "[ofa][sse]") {
  boost::asio::io_context io;
  CHECK_FALSE(chain::sse::SseClient::create(io, fast_options("ws://127.0.0.1:1/")));
  CHECK_FALSE(chain::sse::SseClient::create(io, fast_options("mev-share.flashbots.net")));
}

TEST_CASE("the collector hands over SVR updates once, and counts what it skips", "[ofa][sse]") {
  TestSseServer first;
  TestSseServer second;
  boost::asio::io_context io;
  const auto aggregator =
      chain::Address::from_hex("0x85355da30ee4b35F4B30759Bd49a1EBE3fc41Bdb").value();
  keeper::ofa::OfaCollectorOptions options;
  options.stream_urls = {first.url(), second.url()};
  options.reconnect_base = 20ms;
  auto collector = keeper::ofa::OfaCollector::create(io, options, {aggregator}).value();
  std::vector<keeper::ofa::HintedUpdate> updates;
  collector->start([&](const keeper::ofa::HintedUpdate& u) { updates.push_back(u); });
  REQUIRE(run_until(
      io, [&] { return first.streams_opened() == 1 && second.streams_opened() == 1; }, 5000ms));

  std::ifstream in(::keeper::process::source_dir() + "/tests/ofa/vectors/svr_forward_ethusd.hex");
  std::string calldata;
  in >> calldata;
  const std::string hash = "0x" + std::string(64, '2');
  const std::string svr_hint = R"({"hash":")" + hash +
                               R"(","txs":[{"to":"0x45ab36b69e02e59d3c49b863b31f530c991dd554",)"
                               R"("functionSelector":"0x6fadcf72","callData":")" +
                               calldata + R"("}]})";
  first.push(":ping\n\n");
  first.send_event("{not json");
  first.send_event(R"({"hash":"0x)" + std::string(64, '3') + R"(","txs":[{"to":"0x)" +
                   std::string(40, '4') + R"(","functionSelector":"0x12345678"}]})");
  first.send_event(svr_hint);
  second.send_event(svr_hint);  // the same update on the other stream
  REQUIRE(run_until(
      io, [&] { return collector->counts().events == 4; }, 5000ms));
  const auto counts = collector->counts();
  CHECK(counts.malformed == 1);
  CHECK(counts.updates == 1);
  CHECK(counts.duplicates == 1);
  CHECK(counts.hints.not_followed == 1);
  REQUIRE(updates.size() == 1);
  CHECK(chain::hex_encode(updates[0].update_hash) == hash);
  CHECK(updates[0].aggregator == aggregator);
  CHECK(updates[0].answer == chain::i256{250790000000LL});
  collector->stop();
}
