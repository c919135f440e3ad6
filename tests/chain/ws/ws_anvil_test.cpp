#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "chain/keccak.hpp"
#include "chain/ws/ws_client.hpp"
#include "tests/support/chain_fixture.hpp"
#include "tests/support/io_wait.hpp"
#include "tests/support/tcp_proxy.hpp"

using namespace chain;
using keeper::testing::ChainFixture;

using keeper::testing::run_until;

namespace {

ws::WsOptions options_for(const std::string& url) {
  ws::WsOptions o;
  o.url = url;
  o.reconnect_base = std::chrono::milliseconds{50};
  o.reconnect_cap = std::chrono::milliseconds{200};
  o.idle_timeout = std::chrono::milliseconds{2000};
  return o;
}

}  // namespace

TEST_CASE("newHeads and logs arrive in order over a real anvil WebSocket", "[ws][anvil]") {
  ChainFixture f;
  const Hash topic = keccak256("KeeperTestEvent(bytes)");
  const Address emitter = f.deploy(keeper::testing::log_emitter_initcode(topic));

  boost::asio::io_context io;
  auto client = ws::WsClient::create(io, options_for(f.anvil().ws_url()));
  std::vector<std::uint64_t> heads;
  std::vector<Bytes> log_data;
  client->subscribe_heads([&](const rpc::BlockHeader& h) { heads.push_back(h.number); });
  rpc::LogFilter filter;
  filter.addresses = {emitter};
  filter.topics = {{topic}};
  client->subscribe_logs(filter, [&](const rpc::Log& l) { log_data.push_back(l.data); });
  client->start();
  REQUIRE(run_until(
      io, [&] { return client->counters().messages >= 2; }, std::chrono::seconds{5}));

  // Blocks mined through the same socket's request API.
  int mined = 0;
  for (int i = 0; i < 5; ++i)
    client->request("evm_mine", nlohmann::json::array(), [&](auto r) { mined += r ? 1 : 0; });
  REQUIRE(run_until(
      io, [&] { return heads.size() >= 5 && mined == 5; }, std::chrono::seconds{5}));
  for (std::size_t i = 1; i < heads.size(); ++i) CHECK(heads[i] == heads[i - 1] + 1);

  for (std::uint8_t i = 0; i < 4; ++i) f.send(emitter, Bytes{i});
  REQUIRE(run_until(
      io, [&] { return log_data.size() >= 4; }, std::chrono::seconds{5}));
  REQUIRE(log_data.size() == 4);
  for (std::uint8_t i = 0; i < 4; ++i) CHECK(log_data[i] == Bytes{i});
  CHECK(client->counters().invalid_json == 0);
  client->stop();
}

TEST_CASE("a cut connection reconnects, resubscribes and reports the missed blocks",
          "[ws][anvil]") {
  ChainFixture f;
  keeper::testing::TcpProxy proxy{f.anvil().port()};
  boost::asio::io_context io;
  auto client =
      ws::WsClient::create(io, options_for("ws://127.0.0.1:" + std::to_string(proxy.port())));
  std::vector<std::uint64_t> heads;
  std::vector<ws::Gap> gaps;
  client->subscribe_heads([&](const rpc::BlockHeader& h) { heads.push_back(h.number); });
  client->on_gap([&](const ws::Gap& g) { gaps.push_back(g); });
  client->start();
  REQUIRE(run_until(
      io, [&] { return client->state() == ws::WsState::connected; }, std::chrono::seconds{5}));
  run_until(
      io, [] { return false; }, std::chrono::milliseconds{200});  // subscription confirmed

  f.send(std::nullopt, Bytes{0x00});  // block 1
  REQUIRE(run_until(
      io, [&] { return !heads.empty(); }, std::chrono::seconds{5}));
  CHECK(heads.back() == 1);

  proxy.cut();
  REQUIRE(run_until(
      io, [&] { return client->state() != ws::WsState::connected; }, std::chrono::seconds{5}));
  // Blocks 2..4 are mined while keeper cannot hear them.
  for (int i = 0; i < 3; ++i) f.rpc().call("evm_mine", nlohmann::json::array()).value();
  run_until(
      io, [] { return false; }, std::chrono::milliseconds{300});
  proxy.restore();

  REQUIRE(run_until(
      io, [&] { return !gaps.empty(); }, std::chrono::seconds{10}));
  CHECK(gaps[0].from == 2);
  CHECK(gaps[0].to == 4);
  CHECK_FALSE(gaps[0].reset);
  CHECK(client->counters().reconnects >= 1);

  // Heads flow again after the resubscription.
  f.rpc().call("evm_mine", nlohmann::json::array()).value();
  REQUIRE(run_until(
      io, [&] { return heads.back() == 5; }, std::chrono::seconds{5}));
  client->stop();
}

TEST_CASE("a node restarted from genesis is reported as a reset", "[ws][anvil]") {
  ChainFixture f;
  boost::asio::io_context io;
  auto client = ws::WsClient::create(io, options_for(f.anvil().ws_url()));
  std::vector<ws::Gap> gaps;
  std::vector<std::uint64_t> heads;
  client->subscribe_heads([&](const rpc::BlockHeader& h) { heads.push_back(h.number); });
  client->on_gap([&](const ws::Gap& g) { gaps.push_back(g); });
  client->start();
  REQUIRE(run_until(
      io, [&] { return client->state() == ws::WsState::connected; }, std::chrono::seconds{5}));
  run_until(
      io, [] { return false; }, std::chrono::milliseconds{200});
  for (int i = 0; i < 3; ++i) f.rpc().call("evm_mine", nlohmann::json::array()).value();
  REQUIRE(run_until(
      io, [&] { return heads.size() >= 3; }, std::chrono::seconds{5}));

  f.anvil().stop();
  REQUIRE(run_until(
      io, [&] { return client->state() != ws::WsState::connected; }, std::chrono::seconds{5}));
  REQUIRE(f.anvil().restart().has_value());  // same port, fresh chain at block 0
  REQUIRE(run_until(
      io, [&] { return !gaps.empty(); }, std::chrono::seconds{10}));
  CHECK(gaps[0].reset);
  client->stop();
}
