// Same block as the price: the devnet mines every second, ordering each block by tip, and an
// OCR2 transmit lowering WETH 25% is sent to the mempool just after a block. keeper sees it
// pending, prices the market at its answer and sends its liquidations behind it: they land in
// the update's own block, after it, and none reverts.
#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "tests/support/background_keeper.hpp"
#include "tests/support/http_get.hpp"
#include "tests/support/live_devnet.hpp"
#include "tests/support/run_command.hpp"

using namespace chain;
using keeper::testing::keeper_command;
using keeper::testing::LiveDevnet;
using keeper::testing::metric;
using keeper::testing::of_kind;
using keeper::testing::run_command;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

struct Placement {
  std::uint64_t block = 0;
  std::uint64_t index = 0;
  bool success = false;
};

// Where a transaction was mined, from its receipt as the node gives it.
std::optional<Placement> placement(rpc::RpcClient& rpc, const std::string& hash) {
  const auto r = rpc.call("eth_getTransactionReceipt", json::array({hash}));
  if (!r || r->is_null()) return std::nullopt;
  return Placement{low_u64(u256_from_hex((*r)["blockNumber"].get<std::string>()).value()),
                   low_u64(u256_from_hex((*r)["transactionIndex"].get<std::string>()).value()),
                   (*r)["status"] == "0x1"};
}

std::optional<Placement> wait_mined(rpc::RpcClient& rpc, const std::string& hash, seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto p = placement(rpc, hash)) return p;
    std::this_thread::sleep_for(milliseconds{50});
  }
  return std::nullopt;
}

// The devnet's Aave V3 market (its Morpho market is executed too, and logs beside it).
bool aave_market(const json& e) { return e.value("market", "devnet") == "devnet"; }

// The oracle's base unit: 8 decimals.
const u256 kOneDollar{100'000'000};

}  // namespace

TEST_CASE("an oracle update in the mempool is backrun in its own block", "[e2e][backrun]") {
  LiveDevnet net{"backrun"};
  const auto& d = net.deployment();
  auto& rpc = net.rpc();
  const auto* weth = d.asset("WETH");
  REQUIRE(weth != nullptr);
  const auto port = keeper::pick_free_port().value();
  const auto keeper = net.start_keeper(net.config(), port);
  auto& k = *keeper;
  // A dry run beside it, on its own snapshot: it must name the same update and accounts.
  const auto dry_config =
      net.config_variant("keeper-dry.toml", "keeper-state.json", "keeper-dry-state.json");
  const auto dry_port = keeper::pick_free_port().value();
  const auto dry = net.start_keeper(dry_config, dry_port, {"--dry-run"}, "keeper-dry.log");

  // The DEX leads the oracle: `devnet price` moves the pools (mined), then sends the OCR2
  // transmit lowering WETH 25% into the mempool just after a block, and returns.
  const auto out =
      run_command(keeper_command("devnet price WETH -25% --mempool --dir " + net.dir().string()));
  INFO(out.output);
  REQUIRE(out.exit_code == 0);
  std::smatch m;
  REQUIRE(std::regex_search(out.output, m, std::regex{"transmit (0x[0-9a-f]{64}) in the mempool"}));
  const std::string update_hash = m[1];
  // It really is an OCR2 transmit, as mainnet's feeds send.
  const auto body = rpc.call("eth_getTransactionByHash", json::array({update_hash})).value();
  REQUIRE(body["to"].get<std::string>() == weth->aggregator.lower_hex());
  CHECK(body["input"].get<std::string>().rfind("0xb1dc65a4", 0) == 0);
  const auto update = wait_mined(rpc, update_hash, seconds{10});
  REQUIRE(update.has_value());
  REQUIRE(update->success);

  // keeper's backruns: each names the update, and is mined in its block, after it.
  REQUIRE(k.wait_for(
      [&](const auto& e) {
        for (const auto& s : of_kind(e, "liquidation_sent"))
          if (s.value("backrun_of", "") == update_hash) return true;
        return false;
      },
      milliseconds{10000}));
  net.wait_for_block(update->block + 1);
  INFO(k.output());
  std::set<std::string> same_block;
  for (const auto& s : of_kind(k.events(), "liquidation_sent")) {
    CAPTURE(s.dump());
    if (s.value("backrun_of", "") != update_hash || !aave_market(s)) continue;
    CHECK(s["source"] == "backrun");
    const auto p = wait_mined(rpc, s["tx"].get<std::string>(), seconds{10});
    REQUIRE(p.has_value());
    CHECK(p->success);
    CHECK(p->block == update->block);
    CHECK(p->index > update->index);
    if (p->block == update->block && p->success) same_block.insert(s["account"].get<std::string>());
  }
  // What the update made liquidatable (with at least $1 of collateral): what keeper liquidated
  // in its block, and what is still below 1 once that block is mined.
  const auto targets = net.made_liquidatable_at(update->block, kOneDollar);
  std::set<std::string> liquidated_in_block;
  for (const auto& [account, block] : net.liquidated_since(update->block))
    if (block == update->block) liquidated_in_block.insert(account);
  REQUIRE(targets.size() >= 20);
  CHECK(liquidated_in_block == same_block);
  // At least 90% of them were liquidated in the update's own block.
  std::size_t covered = 0;
  for (const auto& t : targets) covered += same_block.count(t);
  CAPTURE(covered, targets.size());
  CHECK(covered * 10 >= targets.size() * 9);

  // The dry run reported "would backrun <update>" for the same accounts, and sent nothing.
  REQUIRE(dry->wait_for(
      [&](const auto& e) {
        std::size_t n = 0;
        for (const auto& w : of_kind(e, "would_backrun"))
          if (w.value("backrun_of", "") == update_hash && aave_market(w)) ++n;
        return n >= same_block.size();
      },
      milliseconds{10000}));
  std::set<std::string> would;
  for (const auto& w : of_kind(dry->events(), "would_backrun"))
    if (w.value("backrun_of", "") == update_hash && aave_market(w))
      would.insert(w["account"].get<std::string>());
  std::set<std::string> sent_for;
  for (const auto& s : of_kind(k.events(), "liquidation_sent"))
    if (s.value("backrun_of", "") == update_hash && aave_market(s))
      sent_for.insert(s["account"].get<std::string>());
  CHECK(would == sent_for);
  CHECK(of_kind(dry->events(), "liquidation_sent").empty());
  REQUIRE(dry->stop());

  const auto metrics = keeper::testing::http_get(port, "/metrics");
  INFO(k.output());
  REQUIRE(metrics.status == 200);
  CHECK(metric(metrics.body, "keeper_transactions_total{outcome=\"reverted\"}") == 0);
  REQUIRE(k.stop());
  const auto summary = of_kind(k.events(), "summary");
  REQUIRE(summary.size() == 1);
  CHECK(summary[0]["reverted"] == 0);
}
