// keeper run fed by an order-flow auction: a MEV-Share event stream (the test's SSE server)
// hints at an OCR2 transmit to the devnet's WETH aggregator that lowers it 25% and is never in
// the public mempool (Chainlink SVR's case). keeper reads the answer from the hinted calldata,
// and answers with one mev_sendBundle per liquidation to the test relay, each naming the hint's
// hash and keeper's signed liquidation for the next blocks. The auction never includes them: once
// its blocks pass keeper releases those nonces at no cost; and the accounts offered are those the
// same price makes liquidatable once it is mined.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "keeper/devnet/ocr2_report.hpp"
#include "tests/support/background_keeper.hpp"
#include "tests/support/http_get.hpp"
#include "tests/support/live_devnet.hpp"
#include "tests/support/test_mev_share_relay.hpp"
#include "tests/support/test_sse_server.hpp"

using namespace chain;
using keeper::testing::aave_market;
using keeper::testing::kSearcherKey;
using keeper::testing::LiveDevnet;
using keeper::testing::metric;
using keeper::testing::of_kind;
using nlohmann::json;
using std::chrono::milliseconds;

namespace {

std::string auction_config(const LiveDevnet& net, const keeper::testing::TestSseServer& stream,
                           const keeper::testing::TestMevShareRelay& relay) {
  return net.config_with(
      "keeper-auction.toml",
      "[submission]\nmev_share_streams = [\"" + stream.url() + "\"]\nmev_share_endpoints = [\"" +
          relay.url() + "\"]\nsearcher_key_env = \"KEEPER_SEARCHER_KEY\"\nmev_share_blocks = 3\n");
}

// What an SVR hint shares of an update sent straight to the aggregator: its calldata.
std::string hint(const Hash& hash, const Address& aggregator, const Bytes& calldata) {
  const std::string data = hex_encode(calldata);
  return json{{"hash", hex_encode(hash)},
              {"txs", json::array({json{{"to", aggregator.lower_hex()},
                                        {"functionSelector", data.substr(0, 10)},
                                        {"callData", data}}})},
              {"logs", nullptr}}
      .dump();
}

}  // namespace

TEST_CASE("a hinted oracle update yields one mev_sendBundle per liquidation, at no cost unlanded",
          "[e2e][auction]") {
  LiveDevnet net{"auction"};
  const auto& d = net.deployment();
  auto& rpc = net.rpc();
  const auto* weth = d.asset("WETH");
  REQUIRE(weth != nullptr);
  keeper::testing::TestSseServer stream;
  keeper::testing::TestMevShareRelay relay;
  ::setenv("KEEPER_SEARCHER_KEY", kSearcherKey, 1);
  const auto port = keeper::pick_free_port().value();
  const auto keeper = net.start_keeper(auction_config(net, stream, relay), port);
  auto& k = *keeper;
  REQUIRE(stream.wait_for_streams(1, milliseconds{10000}));

  // WETH 25% lower, as an OCR2 transmit a quorum would send; the hash is the auction's own.
  const u256 now_answer = net.feed_answer("WETH");
  const u256 crashed = now_answer * 3 / 4;
  keeper::devnet::Ocr2Report report;
  report.epoch_and_round = 1 << 8;
  report.observations_timestamp = 1;
  report.observations = keeper::devnet::observations_around(i256{to_dec(crashed)}, 31).value();
  report.juels_per_fee_coin = i256{1};
  const Bytes calldata = keeper::devnet::transmit_calldata(report).value();
  const Hash update = keccak256(std::string_view{"an SVR update the public never sees"});
  const std::uint64_t head = rpc.block_number().value();
  const u256 balance_before = rpc.balance(d.liquidator, "latest").value();
  const std::uint64_t nonce_before = rpc.transaction_count(d.liquidator, "latest").value();
  stream.send_event(hint(update, weth->aggregator, calldata));

  // One mev_sendBundle per liquidation keeper decided on, each [{hash: update}, {tx: ours}].
  const std::string update_hex = hex_encode(update);
  REQUIRE(k.wait_for(
      [&](const auto& e) {
        std::size_t sent = 0;
        for (const auto& s : of_kind(e, "liquidation_sent"))
          if (s.value("backrun_of", "") == update_hex && aave_market(s)) ++sent;
        return sent >= 20 && of_kind(e, "auction_backrun_sent").size() >= sent;
      },
      milliseconds{15000}));
  INFO(k.output());
  std::map<std::string, std::string> account_of_tx;  // our tx hash -> account
  for (const auto& s : of_kind(k.events(), "liquidation_sent"))
    if (s.value("backrun_of", "") == update_hex && aave_market(s))
      account_of_tx[s["tx"].get<std::string>()] = s["account"].get<std::string>();
  REQUIRE(relay.wait_for_requests(account_of_tx.size(), milliseconds{10000}));
  std::set<std::string> offered;
  for (const auto& b : relay.bundles()) {
    CHECK(b.hashes == std::vector<Hash>{update});
    CHECK_FALSE(b.can_revert);
    CHECK(b.block >= head + 1);
    CHECK(b.max_block == std::optional<std::uint64_t>{b.block + 2});
    const auto it = account_of_tx.find(hex_encode(keccak256(b.backrun)));
    if (it != account_of_tx.end()) offered.insert(it->second);
  }
  CHECK(offered.size() == account_of_tx.size());
  CHECK(relay.counts().refused_signature == 0);
  CHECK(relay.counts().refused_malformed == 0);

  // The auction's blocks pass without them: nothing of ours reached the chain, and keeper has
  // released the nonces it signed them at.
  REQUIRE(k.wait_for(
      [&](const auto& e) { return of_kind(e, "liquidation_not_landed").size() >= offered.size(); },
      milliseconds{15000}));
  CHECK(rpc.balance(d.liquidator, "latest").value() == balance_before);
  CHECK(rpc.transaction_count(d.liquidator, "latest").value() == nonce_before);

  // The same answer mined (no pool arbitrage, as the hint's update moved no pool): the accounts
  // it makes liquidatable are those keeper offered the auction.
  // (`-25%` sets old * 7500 / 10000, the hint's old * 3 / 4.)
  const std::uint64_t price_block = net.move_price("WETH", "-25% --no-pools");
  // (keeper backruns that transmit in public: what it liquidates in the price's own block counts.)
  const auto below = net.made_liquidatable_at(price_block);
  for (const auto& account : offered) CHECK(below.count(account) == 1);
  // Those with at least $1 of collateral (keeper lets dust go as unprofitable): 90% offered.
  const auto targets = net.made_liquidatable_at(price_block, u256{100'000'000});
  std::size_t covered = 0;
  for (const auto& t : targets) covered += offered.count(t);
  CAPTURE(covered, targets.size());
  CHECK(covered * 10 >= targets.size() * 9);
  const auto metrics = keeper::testing::http_get(port, "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metric(metrics.body, "keeper_transactions_total{outcome=\"auctioned\"}") >= offered.size());
  CHECK(metric(metrics.body, "keeper_transactions_total{outcome=\"reverted\"}") == 0);
  REQUIRE(k.stop());
}
