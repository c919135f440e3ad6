// Capital-free liquidations end to end: keeper's wallet holds only ETH, the devnet's config funds
// every liquidation with an Aave flash loan and sells the seized collateral on the devnet's
// Uniswap V3 pools, all in one transaction through keeper's contract. The chain says who was
// liquidated; keeper's log says what it predicted and what each liquidation kept.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "chain/rpc/batch_call.hpp"
#include "tests/support/background_keeper.hpp"
#include "tests/support/http_get.hpp"
#include "tests/support/live_devnet.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/unlocked_send.hpp"

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

const Address kSink = Address::from_hex("0x000000000000000000000000000000000000dEaD").value();

u256 token_balance(rpc::RpcClient& rpc, const Address& token, const Address& owner) {
  const auto fn = abi::parse_function("balanceOf(address)(uint256)").value();
  const auto out = rpc::batch_eth_call(rpc, {rpc::view_call(token, fn, {abi::Value{owner}})},
                                       rpc.block_number().value())
                       .value();
  return fn.decode_output(out[0]).value()[0].as_uint();
}

u256 feed_answer(rpc::RpcClient& rpc, const Address& aggregator) {
  const auto fn = abi::parse_function("latestAnswer()(int256)").value();
  const auto out =
      rpc::batch_eth_call(rpc, {rpc::view_call(aggregator, fn, {})}, rpc.block_number().value())
          .value();
  return static_cast<u256>(fn.decode_output(out[0]).value()[0].as_int());
}

// The wallet's tokens in dollars at the feeds' current prices.
double tokens_usd(LiveDevnet& net, const Address& wallet) {
  auto& rpc = net.rpc();
  double usd = 0;
  for (const auto& a : net.deployment().assets) {
    const double price = to_double(feed_answer(rpc, a.aggregator)) / 1e8;
    const double units = to_double(token_balance(rpc, a.token, wallet));
    usd += units / std::pow(10.0, a.spec.decimals) * price;
  }
  return usd;
}

// The oracle's base unit: 8 decimals.
const u256 kOneDollar{100'000'000};

}  // namespace

TEST_CASE("a wallet holding only ETH liquidates a WETH crash with flash loans, as predicted",
          "[e2e][flash]") {
  LiveDevnet net{"flash"};
  const auto& d = net.deployment();
  REQUIRE(d.uniswap.has_value());
  // The devnet hands its liquidator $10M of every asset: give it all away first.
  for (const auto& a : d.assets) {
    const auto held = token_balance(net.rpc(), a.token, d.liquidator);
    if (held == 0) continue;
    REQUIRE(keeper::testing::send_unlocked(net.rpc(), d.liquidator, a.token,
                                           "transfer(address,uint256)",
                                           {abi::Value{kSink}, abi::Value{held}})
                .has_value());
  }
  for (const auto& a : d.assets) REQUIRE(token_balance(net.rpc(), a.token, d.liquidator) == 0);
  const u256 eth_before = net.rpc().balance(d.liquidator, "latest").value();

  const auto port = keeper::pick_free_port().value();
  const auto keeper = net.start_keeper(net.config(), port);
  auto& k = *keeper;
  const auto crash = net.move_price("WETH", "-25%");
  const auto targets = net.made_liquidatable_at(crash, kOneDollar);
  REQUIRE(targets.size() >= 40);
  const auto landed = net.wait_liquidated(targets, crash, seconds{90});
  INFO(k.output());
  for (const auto& t : targets) {
    CAPTURE(t);
    CHECK(landed.count(t) == 1);
  }
  REQUIRE(
      k.wait_for([&](const auto& e) { return of_kind(e, "liquidated").size() >= targets.size(); },
                 milliseconds{30000}));

  // Every liquidation was a flash liquidation, and kept what keeper predicted: the same pools,
  // the same protocol math, to within 0.1% (in practice to the wei).
  std::size_t flash = 0;
  for (const auto& e : of_kind(k.events(), "liquidated")) {
    CAPTURE(e.dump());
    REQUIRE(e.contains("realised_flash_profit"));
    const auto predicted = u256_from_dec(e["expected_flash_profit"].get<std::string>()).value();
    const auto realised = u256_from_dec(e["realised_flash_profit"].get<std::string>()).value();
    CHECK(realised > 0);
    const double deviation =
        std::abs(to_double(realised) - to_double(predicted)) / to_double(predicted);
    CHECK(deviation <= 0.001);
    ++flash;
  }
  CHECK(flash >= targets.size());
  for (const auto& e : of_kind(k.events(), "liquidation_sent")) {
    CAPTURE(e.dump());
    CHECK(e["funding"] == "flash");
  }

  const auto metrics = keeper::testing::http_get(port, "/metrics");
  REQUIRE(metrics.status == 200);
  INFO(metrics.body);
  CHECK(metric(metrics.body, "keeper_transactions_total{outcome=\"reverted\"}") == 0);
  REQUIRE(k.stop());
  const auto summary = of_kind(k.events(), "summary");
  REQUIRE(summary.size() == 1);
  CHECK(summary[0]["reverted"] == 0);
  // Richer at the feeds' prices: the debt assets kept are worth more than the ETH spent on gas.
  const u256 eth_after = net.rpc().balance(d.liquidator, "latest").value();
  REQUIRE(eth_after < eth_before);
  const double weth_usd = to_double(feed_answer(net.rpc(), d.asset("WETH")->aggregator)) / 1e8;
  const double gas_usd = to_double(eth_before - eth_after) / 1e18 * weth_usd;
  const double kept_usd = tokens_usd(net, d.liquidator);
  CAPTURE(gas_usd, kept_usd);
  CHECK(kept_usd > gas_usd);
  for (const auto& a : d.assets) {
    CAPTURE(a.spec.symbol);
    if (a.spec.symbol != "WETH") continue;
    // What was seized was sold in the transaction: no collateral is left with the wallet.
    CHECK(token_balance(net.rpc(), a.token, d.liquidator) == 0);
  }
}
