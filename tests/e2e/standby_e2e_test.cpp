// A standby pair on the devnet: two `keeper run` with the same key and a leader lease in a real
// redis-server. The leader is SIGKILLed in the middle of a crash; the follower, which decided at
// every head but sent nothing, takes the lease within 2 blocks, adopts the leader's mirrored
// journal and liquidates what is left: no nonce signed twice with different content, no revert.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "chain/uint256.hpp"
#include "keeper/process/anvil.hpp"
#include "keeper/standby/redis_client.hpp"
#include "keeper/standby/standby.hpp"
#include "tests/support/background_keeper.hpp"
#include "tests/support/live_devnet.hpp"
#include "tests/support/redis_server.hpp"

using namespace chain;
using keeper::testing::BackgroundKeeper;
using keeper::testing::LiveDevnet;
using keeper::testing::of_kind;
using nlohmann::json;
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string standby_toml(const std::string& url, const std::string& name) {
  return "\n[standby]\nredis_url = \"" + url + "\"\nlease_ms = 1500\ntimeout_ms = 200\nname = \"" +
         name + "\"\n";
}

// Index of the first event of `kind` (with `field` == `value` when given); events.size() if none.
std::size_t first_index(const std::vector<json>& events, const std::string& kind,
                        const std::string& field = "", const json& value = nullptr) {
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i].value("event", "") == kind &&
        (field.empty() || (events[i].contains(field) && events[i][field] == value)))
      return i;
  return events.size();
}

struct WalletTx {
  std::uint64_t nonce;
  Hash hash;
  std::uint64_t block;
};

// The wallet's transactions mined in [from, to], from the blocks themselves.
std::vector<WalletTx> wallet_transactions(rpc::RpcClient& rpc, const Address& wallet,
                                          std::uint64_t from, std::uint64_t to) {
  std::vector<WalletTx> out;
  for (auto n = from; n <= to; ++n) {
    const auto block =
        rpc.call("eth_getBlockByNumber", json::array({to_hex_quantity(u256{n}), true})).value();
    for (const auto& tx : block.at("transactions")) {
      if (Address::from_hex(tx.at("from").get<std::string>()).value() != wallet) continue;
      out.push_back({std::stoull(tx.at("nonce").get<std::string>(), nullptr, 16),
                     hex_decode_fixed<32>(tx.at("hash").get<std::string>()).value(), n});
    }
  }
  return out;
}

// For a transaction that reverted: its block's transactions in order (sender, nonce, target,
// status), its revert as anvil's call tracer reports it, and every log line of either keeper that
// names its hash, so a failure says why without the devnet (removed when the test ends).
std::string explain_revert(rpc::RpcClient& rpc, const WalletTx& tx,
                           const std::vector<const BackgroundKeeper*>& keepers) {
  std::string out = "reverted: nonce " + std::to_string(tx.nonce) + " in block " +
                    std::to_string(tx.block) + ", tx " + hex_encode(tx.hash) + "\nblock:\n";
  const auto block =
      rpc.call("eth_getBlockByNumber", json::array({to_hex_quantity(u256{tx.block}), true}));
  if (block)
    for (const auto& t : block->at("transactions")) {
      const auto hash = t.at("hash").get<std::string>();
      const auto receipt = rpc.call("eth_getTransactionReceipt", json::array({hash}));
      out += "  " + t.value("transactionIndex", std::string{"?"}) + " from " +
             t.value("from", std::string{"?"}) + " nonce " + t.value("nonce", std::string{"?"}) +
             " to " + (t.contains("to") && t["to"].is_string() ? t["to"].get<std::string>() : "-") +
             " tip " + t.value("maxPriorityFeePerGas", std::string{"?"}) + " status " +
             (receipt ? receipt->value("status", std::string{"?"}) : "?") + " " + hash + "\n";
    }
  const auto trace = rpc.call(
      "debug_traceTransaction",
      json::array({hex_encode(tx.hash), json{{"tracer", "callTracer"}, {"tracerConfig", {}}}}));
  if (trace) {
    // Every call that failed, outermost first, with its gas: where and why it reverted.
    std::function<void(const json&, int)> failed = [&](const json& call, int depth) {
      if (call.contains("error"))
        out += "  " + std::string(static_cast<std::size_t>(depth) * 2, ' ') +
               call.value("to", std::string{"?"}) + ": " + call["error"].get<std::string>() +
               " (gas " + call.value("gas", std::string{"?"}) + ", used " +
               call.value("gasUsed", std::string{"?"}) + ")\n";
      if (call.contains("calls"))
        for (const auto& inner : call["calls"]) failed(inner, depth + 1);
    };
    out += "trace:\n";
    failed(*trace, 0);
  }
  const auto hash = hex_encode(tx.hash);
  for (const auto* k : keepers)
    for (const auto& e : k->events())
      if (e.dump().find(hash) != std::string::npos) out += "log: " + e.dump() + "\n";
  return out;
}

// Whether a transaction of another sender swapped on the devnet's pools before `tx` in `block`
// (the devnet's arbitrageur moving them for a new price, ordered by its tip among ours): a quote
// of keeper's could not include it.
bool others_swapped_before(rpc::RpcClient& rpc, const keeper::devnet::Deployment& d,
                           const Address& wallet, std::uint64_t block, const std::string& tx) {
  std::set<Address> pools;
  for (const auto& p : d.uniswap->pools) pools.insert(p.address);
  const auto txs =
      rpc.call("eth_getBlockByNumber", json::array({to_hex_quantity(u256{block}), true})).value();
  for (const auto& t : txs.at("transactions")) {
    const auto hash = t.at("hash").get<std::string>();
    if (hash == tx) return false;
    if (Address::from_hex(t.at("from").get<std::string>()).value() == wallet) continue;
    const auto receipt = rpc.call("eth_getTransactionReceipt", json::array({hash})).value();
    for (const auto& log : receipt.at("logs"))
      if (pools.count(Address::from_hex(log.at("address").get<std::string>()).value()) != 0)
        return true;
  }
  return false;
}

}  // namespace

// The new leader's reverts this test used to see now and then (12 in one run) were out of gas: its
// first liquidations after the takeover were decided on a state a block behind the chain, beside
// the dead leader's still unseen ones, and landed as no-ops; the gas model learned the no-ops'
// 38k as those kinds' cost, so the next real liquidations of each ran out of gas six times in a
// row. Now no-ops teach the gas model nothing, nothing is sent beside inherited transactions until
// the state shows them, and an account is not liquidated again on a state older than its landed
// liquidation (tests/keeper/engine/pipeline_test.cpp).
// Later (December 2026), in about 1 run of 4 with the other core busy, two Morpho backruns of the
// WBTC drop (WBTC sold through WBTC>WETH@3000 and WETH>USDC@500) reverted in the router ("Too
// little received"): their quotes had started from a WETH/USDC pool moved by sales that were never
// sent. In the same decision the strategy had decided, and assumed the sales of, accounts whose
// liquidation of ours was already in flight, which the pipeline then dropped; and decisions
// dropped whole (inherited transactions unseen, a standby follower) left their sales assumed for
// the rest of the block. Every other flash liquidation of that block kept 30-45% more or less
// than predicted. Now such accounts are let go before any sale is assumed
// (tests/strategy/liquidation/flash_strategy_test.cpp) and a sale decided but not sent is retracted
// (tests/keeper/engine/pool_assumptions_test.cpp, tests/keeper/market/pool_book_test.cpp); this
// test checks every flash liquidation's realised profit against its prediction.
TEST_CASE("a standby follower takes over within 2 blocks of the leader's SIGKILL mid-crash",
          "[e2e][standby]") {
  keeper::testing::RedisServer redis;
  INFO(redis.why_not());
  REQUIRE(redis.ready());
  LiveDevnet net{"standby"};
  const std::string base = read_text(net.config());
  const fs::path a_config = net.dir() / "keeper.toml";
  const fs::path b_dir = net.dir() / "b";
  fs::create_directories(b_dir);
  const fs::path b_config = b_dir / "keeper.toml";
  { std::ofstream(a_config, std::ios::app) << standby_toml(redis.url(), "a"); }
  // The follower's host: its own snapshot and journal (nothing shared with the leader but Redis).
  {
    std::ofstream(b_config) << base << standby_toml(redis.url(), "b")
                            << "\n[transactions]\nstate_dir = \"state-b\"\n";
  }
  const auto a_port = keeper::pick_free_port().value();
  const auto b_port = keeper::pick_free_port().value();
  const auto args = [](const fs::path& config, std::uint16_t port) {
    return std::vector<std::string>{"run",  "--config",       config.string(),     "--log-format",
                                    "json", "--metrics-port", std::to_string(port)};
  };
  // The leader SIGKILLs itself right after its first liquidations are on the wire
  // (KEEPER_TEST_CRASH_AT, keeper/tx/crash_hook.hpp): mid-crash, at an exact point, with the rest
  // of the crash still to liquidate. Only the leader's environment has it.
  ::setenv("KEEPER_TEST_CRASH_AT", "sent:1", 1);
  BackgroundKeeper a{args(a_config, a_port), net.dir() / "keeper-a.log"};
  ::unsetenv("KEEPER_TEST_CRASH_AT");
  REQUIRE(a.started());
  {
    const bool up = keeper::testing::live_devnet_detail::healthy(a_port, seconds{60});
    INFO(a.output());
    REQUIRE(up);
  }
  BackgroundKeeper b{args(b_config, b_port), net.dir() / "keeper-b.log"};
  REQUIRE(b.started());
  {
    const bool up = keeper::testing::live_devnet_detail::healthy(b_port, seconds{60});
    INFO(b.output());
    REQUIRE(up);
  }
  // The first to run takes the lease; the second follows.
  REQUIRE(a.wait_for(
      [](const auto& e) { return first_index(e, "standby", "sending", true) < e.size(); },
      milliseconds{10000}));
  std::this_thread::sleep_for(milliseconds{2000});  // several of the follower's beats
  {
    INFO("the leader's log:\n" << a.output() << "\nthe follower's log:\n" << b.output());
    const auto b_events = b.events();
    REQUIRE(first_index(b_events, "standby", "role", "follower") < b_events.size());
    REQUIRE(first_index(b_events, "standby", "took_over", true) == b_events.size());
  }

  // The crash; the leader dies as soon as it has sent its first liquidations (a backrun of the
  // price update lands in the update's own block: made_liquidatable_at counts those too).
  const auto crash = net.move_price("WETH", "-25%");
  const auto died_by = std::chrono::steady_clock::now() + seconds{30};
  while (a.running() && std::chrono::steady_clock::now() < died_by)
    std::this_thread::sleep_for(milliseconds{20});
  {
    INFO(a.output());
    REQUIRE_FALSE(a.running());
  }
  const auto killed_at = net.rpc().block_number().value();
  std::uint64_t took_over_at = 0;
  const bool took_over = b.wait_for(
      [&](const auto& e) {
        if (first_index(e, "standby", "took_over", true) == e.size()) return false;
        took_over_at = net.rpc().block_number().value();
        return true;
      },
      milliseconds{15000});
  INFO(b.output());
  REQUIRE(took_over);
  CHECK(took_over_at <= killed_at + 2);
  const auto targets = net.made_liquidatable_at(crash);
  REQUIRE(targets.size() == 46);

  // What the leader did not land, the new leader does; then a second drop for it alone.
  const auto landed = net.wait_liquidated(targets, crash, seconds{60});
  for (const auto& t : targets) {
    CAPTURE(t);
    CHECK(landed.count(t) == 1);
  }
  // What the second drop made liquidatable: the crash's targets it left below 1 (their rest no
  // longer worth liquidating: no bonus, no collateral left, no swap route) are not its own. No
  // price moved in between, so every account below 1 before the drop is one of them.
  const auto second = net.move_price("WBTC", "-20%");
  auto more = net.made_liquidatable_at(second);
  for (const auto& t : targets) more.erase(t);
  REQUIRE_FALSE(more.empty());
  const auto landed_more = net.wait_liquidated(more, second, seconds{60});
  for (const auto& t : more) {
    CAPTURE(t);
    CHECK(landed_more.count(t) == 1);
  }
  b.stop();

  // The follower sent nothing before it held the lease, and something after.
  const auto b_events = b.events();
  const auto b_took = first_index(b_events, "standby", "took_over", true);
  CHECK(first_index(b_events, "liquidation_sent") > b_took);
  CHECK(first_index(b_events, "liquidation_sent") < b_events.size());
  // Nobody else liquidates on the devnet: a liquidation of ours that found its account already
  // taken was decided on a view that did not show an earlier one of ours (the dead leader's, or
  // its own landed in a block newer than its state). Those no-ops were where the reverts began.
  CHECK(of_kind(b_events, "liquidation_noop").empty());
  // Every flash liquidation kept what it was quoted (within 0.1%, in practice to the wei): each
  // sale was quoted on the pools as the sales before it in its block leave them, and on no sale
  // that was never sent. Those behind another sender's swap in their block are not comparable.
  std::size_t compared = 0;
  for (const auto& e : of_kind(b_events, "liquidated")) {
    if (!e.contains("flash_profit_deviation")) continue;
    if (others_swapped_before(net.rpc(), net.deployment(), net.deployment().liquidator,
                              e["block"].get<std::uint64_t>(), e["tx"].get<std::string>()))
      continue;
    ++compared;
    CAPTURE(e.dump());
    CHECK(std::abs(e["flash_profit_deviation"].get<double>()) <= 0.001);
  }
  CHECK(compared >= 20);

  // Every signed record of both instances is in the store (the leader's before it broadcast):
  // per nonce at most one intent (replacements and cancellations aside), and every transaction
  // the wallet mined is one of them. Nothing the wallet mined reverted.
  const Hash genesis = net.rpc().block(std::uint64_t{0}).value().hash;
  const auto keys = keeper::standby::standby_keys({net.deployment().chain_id, genesis},
                                                  net.deployment().liquidator);
  keeper::standby::RedisClient client{keeper::standby::parse_redis_url(redis.url()).value(),
                                      milliseconds{1000}};
  const auto mirrored = client.strings({"LRANGE", keys.journal, "0", "-1"}).value();
  std::map<std::uint64_t, std::set<std::string>> intents_at;
  std::set<Hash> signed_hashes;
  for (const auto& line : mirrored) {
    const auto r = json::parse(line);
    if (r.value("event", "") != "signed") continue;
    signed_hashes.insert(hex_decode_fixed<32>(r["hash"].get<std::string>()).value());
    const auto intent = r["intent"].get<std::string>();
    if (intent.rfind("cancel:", 0) != 0) intents_at[r["nonce"].get<std::uint64_t>()].insert(intent);
  }
  REQUIRE_FALSE(signed_hashes.empty());
  for (const auto& [nonce, intents] : intents_at) {
    CAPTURE(nonce);
    CHECK(intents.size() == 1);
  }
  const auto mined = wallet_transactions(net.rpc(), net.deployment().liquidator, crash,
                                         net.rpc().block_number().value());
  REQUIRE(mined.size() >= targets.size());
  std::set<std::uint64_t> nonces;
  for (const auto& tx : mined) {
    CAPTURE(tx.nonce, tx.block);
    CHECK(signed_hashes.count(tx.hash) == 1);
    CHECK(nonces.insert(tx.nonce).second);
    const auto receipt = net.rpc().receipt(tx.hash).value();
    REQUIRE(receipt.has_value());
    if (!receipt->success) UNSCOPED_INFO(explain_revert(net.rpc(), tx, {&a, &b}));
    CHECK(receipt->success);
  }
}
