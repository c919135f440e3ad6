// Every configured market in one daemon: the devnet's config lists its Aave V3 market and its
// Morpho Blue markets, funds every liquidation by flash (an Aave flash loan, or Morpho's
// liquidation callback selling the seized collateral) and names keeper's contract. One keeper run
// through one WETH crash liquidates every liquidatable account of both protocols with one wallet,
// one nonce sequence and no revert; each liquidation seizes and repays what keeper predicted.
#include <catch2/catch.hpp>

#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"
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

struct Targets {
  std::set<std::string> aave;
  std::set<std::string> morpho;
};

// The Morpho Liquidate logs since `from` whose caller is keeper's contract.
std::vector<rpc::Log> keeper_morpho_liquidations(LiveDevnet& net, std::uint64_t from) {
  const auto& d = net.deployment();
  Hash caller{};  // the indexed caller: the address in the topic's last 20 bytes
  std::copy(d.liquidator_contract.bytes.begin(), d.liquidator_contract.bytes.end(),
            caller.begin() + 12);
  rpc::LogFilter filter;
  filter.addresses = {d.morpho->morpho};
  filter.topics = {{keccak256(std::string_view{
                       "Liquidate(bytes32,address,address,uint256,uint256,uint256,uint256,"
                       "uint256)"})},
                   {},
                   {caller}};
  filter.from_block = from;
  filter.to_block = net.rpc().block_number().value();
  return net.rpc().logs(filter).value();
}

// Borrower -> blocks of keeper's Morpho liquidations since `from`.
std::map<std::string, std::vector<std::uint64_t>> morpho_liquidated_since(LiveDevnet& net,
                                                                          std::uint64_t from) {
  std::map<std::string, std::vector<std::uint64_t>> out;
  for (const auto& log : keeper_morpho_liquidations(net, from))
    out[Address::from_word(log.topics[3]).checksummed()].push_back(log.block_number);
  return out;
}

// Liquidations by keeper's contract since `from` that left the borrower's Morpho position empty
// (badDebtShares, the Liquidate event's last word, is non-zero only when the collateral ran out).
std::size_t bad_debt_liquidations(LiveDevnet& net, std::uint64_t from) {
  std::size_t out = 0;
  for (const auto& log : keeper_morpho_liquidations(net, from))
    if (from_be(BytesView{log.data}.subspan(4 * 32, 32)).value() != 0) ++out;
  return out;
}

// Accounts the crash mined in `block` made liquidatable in each protocol, with collateral to seize
// (Aave: at least $1 of it; Morpho: any): what keeper scan finds liquidatable at `block`, and
// what keeper liquidated inside that block already (it backruns the update when it sees it
// pending).
Targets liquidatable(LiveDevnet& net, std::uint64_t block) {
  net.wait_for_block(block);
  const auto out = run_command(
      keeper_command("scan --json --block " + std::to_string(block) + " --config " + net.config()));
  INFO(out.output);
  REQUIRE(out.exit_code == 0);
  const u256 one{1'000'000'000'000'000'000ULL};
  Targets t;
  for (const auto& row : json::parse(out.output.substr(out.output.find('[')))) {
    const auto protocol = row.value("protocol", std::string{"aave-v3"});
    if (protocol == "morpho-blue") {
      if (!row["healthy"].get<bool>() && row["collateral"].get<std::string>() != "0")
        t.morpho.insert(row["account"].get<std::string>());
      continue;
    }
    if (u256_from_dec(row["health_factor"].get<std::string>()).value() >= one) continue;
    if (u256_from_dec(row["total_collateral_base"].get<std::string>()).value() < u256{100'000'000})
      continue;
    t.aave.insert(row["account"].get<std::string>());
  }
  for (const auto& [account, at] : net.liquidated_since(block))
    if (at == block) t.aave.insert(account);
  for (const auto& [account, blocks] : morpho_liquidated_since(net, block))
    if (blocks.front() == block) t.morpho.insert(account);
  return t;
}

}  // namespace

TEST_CASE("one keeper run liquidates a WETH crash in both Aave and Morpho, as predicted",
          "[e2e][markets][morpho]") {
  LiveDevnet net{"markets"};
  const auto& d = net.deployment();
  REQUIRE(d.morpho.has_value());
  REQUIRE(d.uniswap.has_value());
  const auto port = keeper::pick_free_port().value();
  // The devnet's config executes its Morpho market beside the Aave one.
  const auto keeper = net.start_keeper(net.config(), port);
  auto& k = *keeper;
  // Both markets synced before the crash, each naming itself.
  std::set<std::string> synced;
  std::size_t morpho_accounts = 0;
  for (const auto& e : of_kind(k.events(), "synced")) {
    synced.insert(e.value("market", ""));
    if (e.value("market", "") == "devnet-morpho") morpho_accounts = e.value("accounts", 0U);
  }
  CHECK(morpho_accounts > d.morpho->borrowers.size());  // its borrowers and its supplier
  CHECK(synced == std::set<std::string>{"devnet", "devnet-morpho"});

  const auto crash = net.move_price("WETH", "-25%");
  const auto targets = liquidatable(net, crash);
  INFO("aave targets " << targets.aave.size() << ", morpho targets " << targets.morpho.size());
  REQUIRE(targets.aave.size() >= 40);
  REQUIRE(targets.morpho.size() >= 3);

  const auto landed = net.wait_liquidated(targets.aave, crash, seconds{90});
  auto morpho_landed = morpho_liquidated_since(net, crash);
  const auto deadline = std::chrono::steady_clock::now() + seconds{60};
  const auto morpho_all_in = [&] {
    for (const auto& t : targets.morpho)
      if (!morpho_landed.count(t)) return false;
    return true;
  };
  while (!morpho_all_in() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds{250});
    morpho_landed = morpho_liquidated_since(net, crash);
  }
  INFO(k.output());
  for (const auto& t : targets.aave) {
    CAPTURE(t);
    CHECK(landed.count(t) == 1);
  }
  for (const auto& t : targets.morpho) {
    CAPTURE(t);
    CHECK(morpho_landed.count(t) >= 1);
  }
  std::size_t morpho_liquidations = 0;
  for (const auto& [who, blocks] : morpho_landed) morpho_liquidations += blocks.size();
  const std::size_t total = targets.aave.size() + morpho_liquidations;
  REQUIRE(k.wait_for([&](const auto& e) { return of_kind(e, "liquidated").size() >= total; },
                     milliseconds{30000}));

  // What each transaction predicted, by its hash; then what it realised.
  std::map<std::string, json> sent;
  for (const auto& e : of_kind(k.events(), "liquidation_sent")) {
    CAPTURE(e.dump());
    CHECK(e["funding"] == "flash");
    sent[e["tx"].get<std::string>()] = e;
  }
  std::map<std::string, std::size_t> by_market;
  for (const auto& e : of_kind(k.events(), "liquidated")) {
    CAPTURE(e.dump());
    const auto market = e.value("market", std::string{});
    ++by_market[market];
    const auto it = sent.find(e["tx"].get<std::string>());
    REQUIRE(it != sent.end());
    const auto& p = it->second;
    CHECK(p["market"] == market);
    const auto dec = [](const json& j, const char* key) {
      return u256_from_dec(j[key].get<std::string>()).value();
    };
    // Seized: all of what the flash plan sold. Repaid: what the sale bought, less the loan's
    // premium and the profit the plan expected to keep.
    CHECK(dec(e, "collateral_received") == dec(p, "collateral_sold"));
    CHECK(dec(e, "debt_repaid") ==
          dec(p, "debt_bought") - dec(p, "flash_premium") - dec(p, "expected_flash_profit"));
    CHECK(dec(e, "realised_flash_profit") == dec(p, "expected_flash_profit"));
  }
  CHECK(by_market["devnet"] >= targets.aave.size());
  CHECK(by_market["devnet-morpho"] == morpho_liquidations);

  const auto metrics = keeper::testing::http_get(port, "/metrics");
  REQUIRE(metrics.status == 200);
  INFO(metrics.body);
  CHECK(metric(metrics.body, "keeper_transactions_total{outcome=\"reverted\"}") == 0);
  CHECK(metric(metrics.body,
               "keeper_market_liquidations_total{market=\"devnet-morpho\",protocol=\"morpho-"
               "blue\",outcome=\"mined\"}") == morpho_liquidations);
  CHECK(metric(metrics.body,
               "keeper_market_liquidations_total{market=\"devnet\",protocol=\"aave-v3\","
               "outcome=\"mined\"}") >= targets.aave.size());
  // The Morpho market's account gauge: every account synced, less those a liquidation left with
  // nothing (all collateral seized, the rest of the debt realised as bad debt: Morpho zeroes
  // the position and the book forgets it). Published at each head: waited for, bounded.
  const std::size_t emptied = bad_debt_liquidations(net, crash);
  const std::string gauge =
      "keeper_market_accounts{market=\"devnet-morpho\",protocol=\"morpho-blue\"}";
  auto accounts_now = metric(metrics.body, gauge);
  const auto gauge_deadline = std::chrono::steady_clock::now() + seconds{30};
  while (accounts_now != morpho_accounts - emptied &&
         std::chrono::steady_clock::now() < gauge_deadline) {
    std::this_thread::sleep_for(milliseconds{250});
    accounts_now = metric(keeper::testing::http_get(port, "/metrics").body, gauge);
  }
  CAPTURE(morpho_accounts, emptied);
  CHECK(accounts_now == morpho_accounts - emptied);
  REQUIRE(k.stop());
  const auto summary = of_kind(k.events(), "summary");
  REQUIRE(summary.size() == 1);
  CHECK(summary[0]["reverted"] == 0);
  CHECK(summary[0]["markets"] == 2);
  CHECK(summary[0]["liquidations_mined"].get<std::size_t>() ==
        of_kind(k.events(), "liquidated").size());
  std::cout << "one daemon, two markets: " << by_market["devnet"] << " Aave and "
            << by_market["devnet-morpho"] << " Morpho liquidations, "
            << summary[0]["reverted"].get<std::uint64_t>() << " reverted, realised $"
            << summary[0]["realised_profit_usd"].get<double>() << '\n';
}
