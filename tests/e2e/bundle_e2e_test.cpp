// keeper run with [submission] mode = "bundle" against the test builder, which alone makes the
// devnet's blocks (from the public mempool and the bundles it holds): an OCR2 transmit lowering
// WETH 25% waits in the mempool; keeper bundles [transmit, its liquidations] for the next block,
// and the builder includes it whole, in order. Before that, a transmit that is replaced while
// keeper's bundle waits on it: the bundle lands nothing and costs nothing (no gas, no nonce).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "keeper/devnet/dev_chain.hpp"
#include "keeper/devnet/oracle_transmit.hpp"
#include "tests/support/background_keeper.hpp"
#include "tests/support/http_get.hpp"
#include "tests/support/live_devnet.hpp"
#include "tests/support/test_builder.hpp"

using namespace chain;
using keeper::testing::aave_market;
using keeper::testing::kSearcherKey;
using keeper::testing::LiveDevnet;
using keeper::testing::metric;
using keeper::testing::of_kind;
using keeper::testing::TestBuilder;
using nlohmann::json;
using std::chrono::milliseconds;

namespace {

const u256 kOneDollar{100'000'000};

// The devnet's config with bundles to `builder` as the only way out.
std::string bundle_config(const LiveDevnet& net, const TestBuilder& builder) {
  return net.config_with(
      "keeper-bundles.toml",
      "[submission]\nmode = \"bundle\"\nbuilders = [\"" + builder.url() +
          "\"]\nsearcher_key_env = \"KEEPER_SEARCHER_KEY\"\nbundle_blocks = 3\n");
}

// The bundles keeper logged as sent behind `update` (its Aave market's).
std::size_t bundles_behind(const std::vector<json>& events, const std::string& update) {
  std::size_t n = 0;
  for (const auto& b : of_kind(events, "bundle_sent"))
    if (b.value("backrun_of", "") == update && aave_market(b)) ++n;
  return n;
}

// The last head keeper evaluated, from its /metrics (0 while it cannot tell).
std::uint64_t head_block(std::uint16_t port) {
  const auto page = keeper::testing::http_get(port, "/metrics");
  const auto at = page.body.find("\nkeeper_head_block ");
  if (page.status != 200 || at == std::string::npos) return 0;
  return static_cast<std::uint64_t>(std::stod(page.body.substr(at + 19)));
}

std::uint64_t quantity(const json& v) {
  return low_u64(u256_from_hex(v.get<std::string>()).value());
}

}  // namespace

TEST_CASE(
    "keeper run through the test builder: a replaced update costs nothing, a real one lands "
    "in its own block behind it",
    "[e2e][bundle]") {
  LiveDevnet net{"bundle-run"};
  const auto& d = net.deployment();
  auto& rpc = net.rpc();
  const auto* weth = d.asset("WETH");
  REQUIRE(weth != nullptr);
  TestBuilder builder{d.http_url};
  ::setenv("KEEPER_SEARCHER_KEY", kSearcherKey, 1);
  const auto port = keeper::pick_free_port().value();
  const auto keeper = net.start_keeper(bundle_config(net, builder), port);
  auto& k = *keeper;
  builder.take_over_mining();
  // Each block from here is the builder's; keeper evaluates each as a head before the next.
  const auto build = [&] {
    const auto built = builder.build_block();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (head_block(port) < built.number && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(milliseconds{20});
    REQUIRE(head_block(port) >= built.number);
    return built;
  };
  build();
  const Address wallet = d.liquidator;
  const u256 balance_before = rpc.balance(wallet, "latest").value();
  const std::uint64_t nonce_before = rpc.transaction_count(wallet, "latest").value();
  keeper::devnet::DevChain dev{rpc};
  const auto answer = [&](double factor) {
    return i256{
        to_dec(net.feed_answer("WETH") * u256{static_cast<std::uint64_t>(factor * 1000)} / 1000)};
  };

  {
    // 1. A transmit lowering WETH 25%, then replaced (same sender and nonce, a higher tip) by one
    //    that leaves the price where it is, before any block.
    keeper::devnet::TransmitOptions first_options;
    const auto first = keeper::devnet::send_transmit(dev, d, *weth, answer(0.75), first_options);
    REQUIRE(first.has_value());
    const std::string first_hash = hex_encode(first->hash);
    const bool bundled = k.wait_for(
        [&](const auto& e) { return bundles_behind(e, first_hash) >= 1; }, milliseconds{10000});
    INFO(k.output());
    REQUIRE(bundled);
    const auto first_body = rpc.call("eth_getTransactionByHash", json::array({first_hash})).value();
    keeper::devnet::TransmitOptions replace_options;
    replace_options.tip_wei = u256{5'000'000'000ULL};
    replace_options.nonce = quantity(first_body["nonce"]);
    const auto replacement =
        keeper::devnet::send_transmit(dev, d, *weth, answer(1.0), replace_options);
    REQUIRE(replacement.has_value());
    REQUIRE(k.wait_for(
        [&](const auto& e) {
          for (const auto& r : of_kind(e, "update_replaced"))
            if (r.value("replaced", "") == first_hash) return true;
          return false;
        },
        milliseconds{10000}));
    // The builder cannot include the bundle (its update is gone); the blocks of the bundle's
    // window pass, and keeper releases what it signed.
    std::size_t liquidations = 0;
    for (const auto& s : of_kind(k.events(), "liquidation_sent"))
      if (s.value("backrun_of", "") == first_hash) ++liquidations;
    REQUIRE(liquidations >= 20);
    for (int i = 0; i < 4; ++i) CHECK_FALSE(build().bundle_included);
    REQUIRE(k.wait_for(
        [&](const auto& e) { return of_kind(e, "liquidation_not_landed").size() >= liquidations; },
        milliseconds{10000}));
    // Nothing of it reached the chain: not a wei of gas, not a nonce.
    CHECK(rpc.balance(wallet, "latest").value() == balance_before);
    CHECK(rpc.transaction_count(wallet, "latest").value() == nonce_before);
    CHECK(net.liquidated_since(first->head).empty());

    // 2. The real crash: bundled behind its transmit and included whole in the next block, at
    //    the nonces the first bundle released.
    const auto crash = keeper::devnet::send_transmit(dev, d, *weth, answer(0.75), first_options);
    REQUIRE(crash.has_value());
    const std::string crash_hash = hex_encode(crash->hash);
    REQUIRE(k.wait_for([&](const auto& e) { return bundles_behind(e, crash_hash) >= 1; },
                       milliseconds{10000}));
    const auto block = build();
    REQUIRE(block.bundle_included);
    REQUIRE_FALSE(block.included_txs.empty());
    CHECK(block.included_txs.front() == crash->hash);
    const auto update_receipt = rpc.receipt(crash->hash).value();
    REQUIRE(update_receipt.has_value());
    CHECK(update_receipt->block_number == block.number);
    std::set<std::string> landed;
    std::uint64_t lowest_nonce = ~std::uint64_t{0};
    INFO(k.output());
    for (const auto& s : of_kind(k.events(), "liquidation_sent")) {
      if (s.value("backrun_of", "") != crash_hash || !aave_market(s)) continue;
      const auto hash = hex_decode_fixed<32>(s["tx"].get<std::string>()).value();
      const auto receipt = rpc.receipt(hash).value();
      REQUIRE(receipt.has_value());
      CHECK(receipt->success);
      CHECK(receipt->block_number == block.number);
      lowest_nonce = std::min(lowest_nonce, s["nonce"].get<std::uint64_t>());
      landed.insert(s["account"].get<std::string>());
    }
    CHECK(lowest_nonce == nonce_before);
    const auto targets = net.made_liquidatable_at(block.number, kOneDollar);
    REQUIRE(targets.size() >= 20);
    std::size_t covered = 0;
    for (const auto& t : targets) covered += landed.count(t);
    CAPTURE(covered, targets.size());
    CHECK(covered * 10 >= targets.size() * 9);

    build();  // keeper follows its bundle's block
    const auto metrics = keeper::testing::http_get(port, "/metrics");
    REQUIRE(metrics.status == 200);
    CHECK(metric(metrics.body, "keeper_transactions_total{outcome=\"reverted\"}") == 0);
    CHECK(metric(metrics.body, "keeper_transactions_total{outcome=\"unsent\"}") >= liquidations);
    CHECK(builder.counts().refused_signature == 0);
  }
  REQUIRE(k.stop());
}
