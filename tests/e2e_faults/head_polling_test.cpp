// keeper run with its WebSocket unreachable and HTTP fine (issue 17, finding 4): heads come by
// polling over HTTP, each block once and in order, and a price crash is liquidated, the
// transactions going out over HTTP.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "keeper/process/anvil.hpp"
#include "tests/support/background_keeper.hpp"
#include "tests/support/live_devnet.hpp"
#include "tests/support/run_command.hpp"

using keeper::testing::LiveDevnet;
using keeper::testing::of_kind;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// The devnet's config with ws_url pointing at a port nothing listens on.
std::string config_without_socket(LiveDevnet& net) {
  std::ifstream in(net.config());
  std::string text{std::istreambuf_iterator<char>(in), {}};
  const std::string ws_line = "ws_url = \"" + net.deployment().ws_url + "\"";
  REQUIRE(text.find(ws_line) != std::string::npos);
  const auto closed = keeper::pick_free_port().value();
  REQUIRE_FALSE(keeper::port_accepts(closed));
  text.replace(text.find(ws_line), ws_line.size(),
               "ws_url = \"ws://127.0.0.1:" + std::to_string(closed) + "\"\nhead_poll_ms = 500");
  const auto path = net.dir() / "keeper-no-socket.toml";
  std::ofstream(path) << text;
  return path.string();
}

std::vector<json> json_lines(const std::string& output) {
  std::vector<json> out;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    auto j = json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object()) out.push_back(j);
  }
  return out;
}

}  // namespace

TEST_CASE("with no WebSocket, keeper run --max-blocks 5 ends on heads polled over HTTP",
          "[e2e][faults][heads]") {
  LiveDevnet net{"nows"};
  const auto config = config_without_socket(net);
  // `timeout`: before the poller, this run never ended (it retried the socket forever). Start-up
  // (backfill, both markets synced, pools read) takes 25 s on a loaded 2-core machine; the bound
  // is far above that and still ends a run that never would.
  const auto out = keeper::testing::run_command(
      "timeout 120 " + keeper::testing::keeper_command("run --dry-run --max-blocks 5 --log-format "
                                                       "json --log-level debug --config " +
                                                       config));
  INFO(out.output);
  REQUIRE(out.exit_code == 0);
  const auto events = json_lines(out.output);
  // Each head's state event: five blocks, consecutive, each read once. Every market's engine
  // logs its own (the devnet watches Aave "devnet" and Morpho "devnet-morpho"): both see each.
  std::map<std::string, std::vector<std::uint64_t>> blocks_of;
  for (const auto& e : of_kind(events, "state"))
    blocks_of[e.value("market", std::string{})].push_back(e["block"].get<std::uint64_t>());
  REQUIRE(blocks_of.size() == 2);
  REQUIRE(blocks_of.count("devnet") == 1);
  REQUIRE(blocks_of.count("devnet-morpho") == 1);
  CHECK(blocks_of["devnet-morpho"] == blocks_of["devnet"]);
  const auto& blocks = blocks_of["devnet"];
  REQUIRE(blocks.size() == 5);
  for (std::size_t i = 1; i < blocks.size(); ++i) CHECK(blocks[i] == blocks[i - 1] + 1);
  bool polled = false;
  for (const auto& e : of_kind(events, "heads")) polled = polled || e["source"] == "http";
  CHECK(polled);
  const auto summary = of_kind(events, "summary");
  REQUIRE(summary.size() == 1);
  CHECK(summary[0]["heads"] == 5);
}

TEST_CASE("with no WebSocket, keeper run liquidates a price crash from polled heads",
          "[e2e][faults][heads]") {
  LiveDevnet net{"nows-crash"};
  const auto config = config_without_socket(net);
  const auto port = keeper::pick_free_port().value();
  const auto keeper = net.start_keeper(config, port);
  auto& k = *keeper;

  const auto crash = net.move_price("WETH", "-25%");
  const auto targets = net.below_one_at(crash);
  REQUIRE(targets.size() == 46);
  const auto landed = net.wait_liquidated(targets, crash, seconds{60});
  INFO(k.output());
  for (const auto& t : targets) {
    CAPTURE(t);
    REQUIRE(landed.count(t) == 1);
    CHECK(landed.at(t) <= crash + 4);  // a poll every 500 ms, one-second blocks
  }
  // Every send settled as mined: a send that reverts is counted in the summary below.
  REQUIRE(k.wait_for(
      [&](const auto& e) {
        const auto mined = of_kind(e, "liquidated").size();
        return mined >= 46 && mined >= of_kind(e, "liquidation_sent").size();
      },
      milliseconds{30000}));
  // One send per liquidation the chain holds: a borrower still below 1 after its first
  // liquidation (several collaterals) is rightly liquidated again, in a later block; a second
  // send for the same opportunity would have reverted or still be pending. The socket never
  // connected.
  std::multiset<std::string> sent_for;
  for (const auto& e : of_kind(k.events(), "liquidation_sent"))
    sent_for.insert(e["account"].get<std::string>());
  const auto on_chain = net.liquidation_blocks(crash);
  for (const auto& t : targets) {
    CAPTURE(t);
    REQUIRE(on_chain.count(t) == 1);
    CHECK(sent_for.count(t) == on_chain.at(t).size());
  }
  for (const auto& w : of_kind(k.events(), "ws")) CHECK(w["state"] != "connected");
  REQUIRE(k.stop());
  const auto summary = of_kind(k.events(), "summary");
  REQUIRE(summary.size() == 1);
  CHECK(summary[0]["reverted"] == 0);
}
