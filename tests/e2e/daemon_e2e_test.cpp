// The daemon end to end on keeper devnet (200 borrowers, one-second blocks): keeper runs in the
// background while the test moves prices, then the chain itself says what was liquidated, by
// whom, and in which block.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/process/anvil.hpp"
#include "tests/support/background_keeper.hpp"
#include "tests/support/chain_fixture.hpp"
#include "tests/support/devnet_guard.hpp"
#include "tests/support/http_get.hpp"
#include "tests/support/live_devnet.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/tcp_proxy.hpp"

using namespace chain;
using keeper::testing::BackgroundKeeper;
using keeper::testing::keeper_command;
using keeper::testing::of_kind;
using keeper::testing::run_command;
using nlohmann::json;
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

using keeper::testing::LiveDevnet;
using keeper::testing::metric;

}  // namespace

TEST_CASE("keeper run liquidates a live crash within 3 blocks and times every stage",
          "[e2e][run]") {
  LiveDevnet net{"live"};
  const auto port = keeper::pick_free_port().value();
  const auto keeper = net.start_keeper(net.config(), port);
  auto& k = *keeper;

  const auto crash = net.move_price("WETH", "-25%");
  const auto targets = net.made_liquidatable_at(crash);
  REQUIRE(targets.size() == 46);
  const auto landed = net.wait_liquidated(targets, crash, seconds{60});
  for (const auto& t : targets) {
    CAPTURE(t);
    REQUIRE(landed.count(t) == 1);
    CHECK(landed.at(t) <= crash + 3);
  }
  REQUIRE(k.wait_for([&](const auto& e) { return of_kind(e, "liquidated").size() >= 46; },
                     milliseconds{30000}));

  const auto metrics = keeper::testing::http_get(port, "/metrics");
  REQUIRE(metrics.status == 200);
  INFO(metrics.body);
  // Taken now, not at start: a message captured early shows only the first lines of the log.
  INFO(k.output());
  for (const char* stage : {"evaluated", "decided", "signed", "written", "sent", "mined"}) {
    CAPTURE(stage);
    CHECK(metric(metrics.body,
                 std::string{"keeper_stage_latency_seconds_count{stage=\""} + stage + "\"}") > 0);
  }
  CHECK(metric(metrics.body, "keeper_transactions_total{outcome=\"mined\"}") >= 46);
  CHECK(metric(metrics.body, "keeper_transactions_total{outcome=\"reverted\"}") == 0);
  CHECK(metric(metrics.body, "keeper_accounts_tracked") >= 200);
  // The crash came as an update transaction (seen pending: a backrun) and then as an
  // AnswerUpdated log (a price tick). Which path decides first is the node's order of
  // notifications (under load anvil may announce the block before the pending transaction):
  // each liquidation went out once, from one of the three paths.
  CHECK(metric(metrics.body, "keeper_events_total{kind=\"price_tick\"}") >= 1);
  std::set<std::string> sent_for;
  for (const auto& e : of_kind(k.events(), "liquidation_sent")) {
    CAPTURE(e.dump());
    CHECK((e["source"] == "tick" || e["source"] == "head" || e["source"] == "backrun"));
    sent_for.insert(e["account"].get<std::string>());
  }
  for (const auto& t : targets) CHECK(sent_for.count(t) == 1);

  // The journal is this chain's own, under the state directory every test devnet shares.
  const auto journal = of_kind(k.events(), "journal");
  REQUIRE(journal.size() == 1);
  const fs::path journal_path = journal[0]["path"].get<std::string>();
  CHECK(journal_path.parent_path().parent_path() == LiveDevnet::shared_state_home() / "keeper");
  CHECK(journal_path.parent_path().filename().string().rfind("31337-", 0) == 0);

  REQUIRE(k.stop());
  const auto summary = of_kind(k.events(), "summary");
  REQUIRE(summary.size() == 1);
  CHECK(summary[0]["reverted"] == 0);
  CHECK(summary[0]["realised_profit_usd"].get<double>() > 0);
}

TEST_CASE("a price written straight into the feed's storage is acted on within 2 blocks",
          "[e2e][run]") {
  LiveDevnet net{"storage"};
  const auto port = keeper::pick_free_port().value();
  const auto keeper = net.start_keeper(net.config(), port);
  auto& k = *keeper;
  INFO(k.output());

  // WETH 2000 -> 1500 in FeedAggregator slot 1 (latestAnswer): no transaction, no AnswerUpdated.
  const auto written_at = net.rpc().block_number().value();
  net.write_feed_answer("WETH", u256{150'000'000'000ULL});
  const auto first_priced = written_at + 1;  // the first block mined over the new storage
  const auto targets = net.below_one_at(first_priced);
  REQUIRE(targets.size() == 46);
  const auto landed = net.wait_liquidated(targets, written_at, seconds{60});
  for (const auto& t : targets) {
    CAPTURE(t);
    REQUIRE(landed.count(t) == 1);
    CHECK(landed.at(t) <= first_priced + 2);
  }
  // No event carried this price: the head's reconciliation found it.
  for (const auto& e : of_kind(k.events(), "liquidation_sent")) CHECK(e["source"] == "head");
}

TEST_CASE("cutting keeper's WebSocket while prices fall loses no opportunity", "[e2e][run]") {
  LiveDevnet net{"cut"};
  keeper::testing::TcpProxy proxy{net.deployment().port};
  // The same config, with the WebSocket through a proxy the test can cut.
  std::ifstream in(net.config());
  std::string text{std::istreambuf_iterator<char>(in), {}};
  const std::string ws_line = "ws_url = \"" + net.deployment().ws_url + "\"";
  REQUIRE(text.find(ws_line) != std::string::npos);
  text.replace(text.find(ws_line), ws_line.size(),
               "ws_url = \"ws://127.0.0.1:" + std::to_string(proxy.port()) + "\"");
  const auto config = net.dir() / "keeper-proxied.toml";
  std::ofstream(config) << text;

  const auto port = keeper::pick_free_port().value();
  const auto keeper = net.start_keeper(config.string(), port);
  auto& k = *keeper;
  INFO(k.output());

  proxy.cut();
  REQUIRE(k.wait_for(
      [](const auto& e) {
        for (const auto& w : of_kind(e, "ws"))
          if (w["state"] == "disconnected") return true;
        return false;
      },
      milliseconds{15000}));
  const auto crash = net.move_price("WETH", "-25%");
  // Blocks pass while the socket is down: heads keep coming by HTTP polling (node.head_poll_ms),
  // so nothing waits for the socket to return.
  net.wait_for_block(crash + 3);
  proxy.restore();

  const auto targets = net.made_liquidatable_at(crash);
  REQUIRE(targets.size() == 46);
  const auto landed = net.wait_liquidated(targets, crash, seconds{90});
  for (const auto& t : targets) {
    CAPTURE(t);
    CHECK(landed.count(t) == 1);
  }
  // The liquidations no longer wait for the socket (heads were polled over HTTP meanwhile), so
  // its return is awaited on its own.
  const auto reconnected = [](const auto& events) {
    std::size_t connects = 0;
    for (const auto& w : of_kind(events, "ws"))
      if (w["state"] == "connected") ++connects;
    return connects >= 2;
  };
  CHECK(k.wait_for(reconnected, milliseconds{20000}));
  CHECK(proxy.connections_accepted() >= 2);
}

TEST_CASE("keeper run --fork executes on a local fork and sends nothing to the node",
          "[e2e][fork]") {
  LiveDevnet net{"fork"};
  const auto crash = net.move_price("WETH", "-25%");
  const auto targets = net.made_liquidatable_at(crash);
  REQUIRE(targets.size() == 46);
  const auto nonce = net.rpc().transaction_count(net.deployment().liquidator, "latest").value();

  const auto out = run_command(
      keeper_command("run --fork --max-blocks 5 --log-format json --config " + net.config()));
  INFO(out.output);
  REQUIRE(out.exit_code == 0);
  std::vector<json> events;
  std::istringstream lines(out.output);
  for (std::string line; std::getline(lines, line);) {
    auto j = json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object()) events.push_back(j);
  }
  std::set<std::string> executed;
  for (const auto& e : of_kind(events, "liquidated")) {
    executed.insert(e["account"].get<std::string>());
    CHECK(e["realised_profit_usd"].get<double>() > 0);
  }
  for (const auto& t : targets) {
    CAPTURE(t);
    CHECK(executed.count(t) == 1);
  }
  const auto summary = of_kind(events, "summary");
  REQUIRE(summary.size() == 1);
  CHECK(summary[0]["reverted"] == 0);
  CHECK(summary[0]["liquidations_mined"].get<std::uint64_t>() >= targets.size());
  CHECK(summary[0]["realised_profit_usd"].get<double>() > 0);

  // The devnet saw nothing: same nonce, no LiquidationCall by our liquidator.
  CHECK(net.rpc().transaction_count(net.deployment().liquidator, "latest").value() == nonce);
  CHECK(net.liquidated_since(crash).empty());
  // And the fork node is gone.
  const auto fork = of_kind(events, "fork");
  REQUIRE(fork.size() == 1);
  const auto pid = fork[0]["pid"].get<pid_t>();
  CHECK((::kill(pid, 0) != 0 && errno == ESRCH));
  // Its journal is gone with it: nothing of the fork is resumed by a later run.
  CHECK_FALSE(fs::exists(
      fs::temp_directory_path() /
      ("keeper-fork-journal-" + std::to_string(fork[0]["keeper_pid"].get<int>()) + ".log")));
}
