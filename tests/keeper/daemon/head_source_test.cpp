// The daemon's head stream against a real anvil: while the socket is down heads come by polling
// over HTTP; a jump is filled from the node; a head already delivered by the other path is
// dropped; a head that replaces one (a reorg) is passed on. The daemon sees each block once, in
// order.
#include <catch2/catch.hpp>

#include <chrono>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "chain/rpc/rpc_client.hpp"
#include "keeper/daemon/head_source.hpp"
#include "keeper/process/anvil.hpp"

using chain::rpc::BlockHeader;
using nlohmann::json;
using std::chrono::milliseconds;

namespace {

struct Fixture {
  keeper::Anvil anvil = keeper::Anvil::start({}).value();
  chain::rpc::RpcClient rpc{chain::rpc::RpcClientOptions::for_urls({anvil.http_url()})};
  boost::asio::io_context io;
  keeper::ops::Log log{true, keeper::ops::Level::error};
  bool socket_live = false;
  std::vector<BlockHeader> got;
  keeper::daemon::HeadSource heads{io,
                                   rpc,
                                   log,
                                   {milliseconds{40}, 64},
                                   [this] { return socket_live; },
                                   [this](const BlockHeader& h) { got.push_back(h); }};

  void mine(int n) {
    REQUIRE(rpc.call("anvil_mine", json::array({"0x" + std::to_string(n)})).has_value());
  }
  void turn(milliseconds d = milliseconds{200}) {
    io.restart();
    io.run_for(d);
  }
  std::vector<std::uint64_t> numbers() const {
    std::vector<std::uint64_t> out;
    for (const auto& h : got) out.push_back(h.number);
    return out;
  }
};

}  // namespace

TEST_CASE("heads are polled over HTTP while the socket is down, then taken from it, each once",
          "[daemon][heads]") {
  Fixture f;
  f.heads.start();
  f.turn();  // the socket is down from the start: the node's head comes by a poll
  REQUIRE(f.numbers() == std::vector<std::uint64_t>{0});
  CHECK(f.heads.polling());

  f.mine(3);
  f.turn();  // one poll sees block 3; 1 and 2 are read to fill the jump
  REQUIRE(f.numbers() == std::vector<std::uint64_t>{0, 1, 2, 3});
  CHECK(f.heads.counters().filled == 2);

  // The socket is back: its first head is one already polled, dropped; then a jump of two.
  f.socket_live = true;
  f.heads.on_socket_head(f.rpc.block(std::uint64_t{3}).value());
  f.mine(2);
  f.heads.on_socket_head(f.rpc.block(std::uint64_t{5}).value());
  f.turn();
  REQUIRE(f.numbers() == std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5});
  // Dropped as repeats: the socket's block 3 (and the polls that found no new head).
  CHECK(f.heads.counters().duplicates >= 1);
  CHECK_FALSE(f.heads.polling());

  // With the socket live nothing is polled, however many blocks pass.
  f.mine(2);
  f.turn();
  CHECK(f.numbers().size() == 6);

  // Every delivered header is the chain's own.
  for (const auto& h : f.got) CHECK(h.hash == f.rpc.block(h.number).value().hash);
  f.heads.stop();
}

TEST_CASE("a head that replaces a delivered one (a reorg) is passed on; its repeat is not",
          "[daemon][heads]") {
  Fixture f;
  f.mine(4);
  const auto snapshot = f.rpc.call("evm_snapshot", json::array()).value();
  f.mine(2);
  f.heads.start();
  f.turn();
  REQUIRE(f.numbers() == std::vector<std::uint64_t>{6});
  const auto old6 = f.got.back().hash;

  // Blocks 5 and 6 replaced by others (a later timestamp makes other hashes), then 7 on top.
  REQUIRE(f.rpc.call("evm_revert", json::array({snapshot})).value() == true);
  const auto ts = f.rpc.block(std::uint64_t{4}).value().timestamp;
  REQUIRE(f.rpc.call("evm_setNextBlockTimestamp", json::array({ts + 100})).has_value());
  f.mine(2);
  const auto new6 = f.rpc.block(std::uint64_t{6}).value();
  REQUIRE(new6.hash != old6);
  f.socket_live = true;
  f.heads.on_socket_head(new6);
  f.heads.on_socket_head(new6);  // a repeat of the replacement
  f.turn();
  REQUIRE(f.numbers() == std::vector<std::uint64_t>{6, 6});
  CHECK(f.got.back().hash == new6.hash);
  CHECK(f.heads.counters().replaced == 1);
  CHECK(f.heads.counters().duplicates >= 1);
  f.heads.stop();
}
