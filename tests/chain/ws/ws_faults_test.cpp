#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "chain/ws/url.hpp"
#include "chain/ws/ws_client.hpp"
#include "keeper/process/anvil.hpp"
#include "tests/support/io_wait.hpp"
#include "tests/support/scripted_ws_node.hpp"

#include <unistd.h>

#include <filesystem>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using chain::ws::WsClient;

using keeper::testing::run_until;

namespace {

std::string head_notification(const std::string& sub, int number) {
  const std::string h(64, 'a');
  return nlohmann::json{
      {"jsonrpc", "2.0"},
      {"method", "eth_subscription"},
      {"params",
       {{"subscription", sub},
        {"result",
         {{"number", chain::to_hex_quantity(chain::u256{static_cast<unsigned>(number)})},
          {"hash", "0x" + h},
          {"parentHash", "0x" + h},
          {"timestamp", "0x1"}}}}}}
      .dump();
}

// A WebSocket node that misbehaves on purpose. Connection 1: answers the subscription, then sends
// invalid JSON, a notification for an unknown subscription, a good head, and a frame over the
// client's limit. Connection 2: answers the subscription, then goes silent (no pongs).
// Connection 3 onwards: answers and sends one good head.
void misbehave(keeper::testing::ScriptedWsNode::Stream& ws, int n,
               const keeper::testing::ScriptedWsNode& node) {
  beast::error_code ec;
  beast::flat_buffer buffer;
  ws.read(buffer);  // eth_subscribe
  const auto request = nlohmann::json::parse(beast::buffers_to_string(buffer.data()));
  ws.write(asio::buffer(
      nlohmann::json{{"jsonrpc", "2.0"}, {"id", request["id"]}, {"result", "0xs1"}}.dump()));
  if (n == 1) {
    ws.write(asio::buffer(std::string{"{not json"}));
    ws.write(asio::buffer(head_notification("0xunknown", 1)));
    ws.write(asio::buffer(head_notification("0xs1", 7)));
    ws.write(asio::buffer(std::string(64 * 1024, ' ')));
    buffer.clear();
    ws.read(buffer, ec);  // until the client gives up on us
  } else if (n == 2) {
    for (int i = 0; i < 100 && !node.stopping(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
  } else {
    ws.write(asio::buffer(head_notification("0xs1", 9)));
    buffer.clear();
    ws.read(buffer, ec);
  }
}

}  // namespace

TEST_CASE("a misbehaving node: bad messages are counted, oversized and silent links replaced",
          "[ws][faults]") {
  keeper::testing::ScriptedWsNode node{misbehave};
  asio::io_context io;
  chain::ws::WsOptions options;
  options.url = node.url();
  options.max_message_bytes = 16 * 1024;
  options.idle_timeout = std::chrono::milliseconds{1500};
  options.reconnect_base = std::chrono::milliseconds{20};
  options.reconnect_cap = std::chrono::milliseconds{50};
  auto client = WsClient::create(io, options);
  std::vector<std::uint64_t> heads;
  client->subscribe_heads([&](const chain::rpc::BlockHeader& h) { heads.push_back(h.number); });
  client->start();

  REQUIRE(run_until(
      io, [&] { return heads.size() >= 2; }, std::chrono::seconds{20}));
  CHECK(heads[0] == 7);
  CHECK(heads.back() == 9);
  const auto& c = client->counters();
  CHECK(c.invalid_json == 1);
  CHECK(c.unknown_subscription == 1);
  CHECK(c.oversized == 1);
  // after the oversized frame and after the silent connection (a loaded machine may add one)
  CHECK(c.reconnects >= 2);
  CHECK(node.connections() >= 3);
  client->stop();
}

TEST_CASE("a node back after a long outage is reconnected to within about a second",
          "[ws][faults]") {
  // The daemon's back-off (the defaults): attempts double from 200 ms, capped at 1 s. An outage
  // of 8 s pushed a 10 s cap's next attempt up to 10 s past the node's return.
  const auto port = keeper::pick_free_port().value();
  asio::io_context io;
  chain::ws::WsOptions options;
  options.url = "ws://127.0.0.1:" + std::to_string(port);
  auto client = WsClient::create(io, options);
  int refused = 0, opened = 0;
  client->on_state([&](chain::ws::WsState s, const std::string&) {
    if (s == chain::ws::WsState::disconnected) ++refused;
    if (s == chain::ws::WsState::connected) ++opened;
  });
  client->start();
  // Nothing listens: every attempt is refused.
  run_until(
      io, [] { return false; }, std::chrono::milliseconds{8000});
  CHECK(opened == 0);
  CHECK(refused >= 8);   // still trying, about once a second at the cap
  CHECK(refused <= 40);  // without spinning

  // The node returns on the same port: it answers nothing and holds the connection open.
  keeper::testing::ScriptedWsNode node{
      [](keeper::testing::ScriptedWsNode::Stream& ws, int, const keeper::testing::ScriptedWsNode&) {
        beast::flat_buffer buffer;
        for (;;) ws.read(buffer);  // until the client hangs up
      },
      port};
  REQUIRE(run_until(
      io, [&] { return opened == 1; }, std::chrono::milliseconds{2500}));
  CHECK(node.connections() == 1);
  client->stop();  // hangs up, so the node's script ends before it is torn down
}

TEST_CASE("wss refuses a server whose certificate is not trusted", "[ws][tls]") {
  // A TLS server with a self-signed certificate generated for this test.
  const std::string dir =
      std::filesystem::temp_directory_path() / ("keeper-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + dir +
                          "/key.pem -out " + dir +
                          "/cert.pem -days 1 -subj /CN=127.0.0.1 >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const std::string port = std::to_string(keeper::pick_free_port().value());
  const std::string server = "timeout 10 openssl s_server -quiet -accept 127.0.0.1:" + port +
                             " -cert " + dir + "/cert.pem -key " + dir +
                             "/key.pem >/dev/null 2>&1 & echo $! > " + dir + "/pid";
  REQUIRE(std::system(server.c_str()) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds{500});

  asio::io_context io;
  chain::ws::WsOptions options;
  options.url = "wss://127.0.0.1:" + port;
  options.reconnect_base = std::chrono::milliseconds{5000};
  options.reconnect_cap = std::chrono::milliseconds{5000};
  auto client = WsClient::create(io, options);
  std::string why;
  client->on_state([&](chain::ws::WsState s, const std::string& reason) {
    if (s == chain::ws::WsState::disconnected) why = reason;
  });
  client->start();
  REQUIRE(run_until(
      io, [&] { return !why.empty(); }, std::chrono::seconds{5}));
  CHECK_THAT(why, Catch::Contains("TLS handshake"));
  CHECK(client->counters().reconnects == 0);
  client->stop();
  std::system(("kill $(cat " + dir + "/pid) 2>/dev/null").c_str());
  std::filesystem::remove_all(dir);
}

TEST_CASE("bad WebSocket URLs are refused clearly", "[ws]") {
  for (const auto* bad :
       {"http://127.0.0.1:8545", "ws://", "ws://host:0", "ws://host:99999", "ws://u:p@host"}) {
    CAPTURE(bad);
    CHECK_FALSE(chain::ws::parse_ws_url(bad).has_value());
  }
  const auto url = chain::ws::parse_ws_url("wss://node.example:8546/ws?key=1").value();
  CHECK(url.tls);
  CHECK(url.host == "node.example");
  CHECK(url.port == 8546);
  CHECK(url.target == "/ws?key=1");
  CHECK(chain::ws::parse_ws_url("ws://[::1]:8545").value().host == "::1");
}
