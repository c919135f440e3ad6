// keeper run killed with SIGKILL again and again while prices fall (issue 17, "Crashes"): at an
// exact point of a send (KEEPER_TEST_CRASH_AT, keeper/tx/crash_hook.hpp: after signing and before
// the journal, between the journal and the wire, between the wire and the receipt) or at a
// random moment. After every restart keeper comes up; at the end nothing liquidatable is left,
// no nonce was signed with two different liquidations, no account was liquidated twice while
// healthy, no transaction of keeper's reverted and no nonce stays open.
//
// KEEPER_CRASH_ITERATIONS (default 50) and KEEPER_CRASH_SECONDS (default 90) size the loop;
// scripts/crash_loop.sh runs a longer one.
#include <catch2/catch.hpp>

#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "keeper/process/anvil.hpp"
#include "tests/support/background_keeper.hpp"
#include "tests/support/live_devnet.hpp"

using keeper::testing::LiveDevnet;
using keeper::testing::of_kind;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

namespace {

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::stoull(v) : fallback;
}

std::string hex_quantity(std::uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(n));
  return buf;
}

struct KeeperTx {
  std::uint64_t nonce = 0;
  std::uint64_t block = 0;
  bool success = false;
};

// Every transaction keeper's wallet mined in [from, to], from the blocks themselves.
std::vector<KeeperTx> keeper_transactions(LiveDevnet& net, std::uint64_t from, std::uint64_t to) {
  std::vector<KeeperTx> out;
  const auto me = net.deployment().liquidator.lower_hex();
  for (auto n = from; n <= to; ++n) {
    const auto block =
        net.rpc().call("eth_getBlockByNumber", json::array({hex_quantity(n), true})).value();
    for (const auto& tx : block["transactions"]) {
      if (tx["from"].get<std::string>() != me) continue;
      const auto receipt =
          net.rpc().call("eth_getTransactionReceipt", json::array({tx["hash"]})).value();
      out.push_back({std::stoull(tx["nonce"].get<std::string>(), nullptr, 16), n,
                     receipt["status"] == "0x1"});
    }
  }
  return out;
}

}  // namespace

TEST_CASE("keeper run killed at random points of its sends, again and again, during a crash",
          "[e2e][faults][crash]") {
  LiveDevnet net{"crash-loop"};
  const auto iterations = env_or("KEEPER_CRASH_ITERATIONS", 50);
  const auto budget = seconds{env_or("KEEPER_CRASH_SECONDS", 90)};
  std::mt19937_64 rng{env_or("KEEPER_CRASH_SEED", 17)};
  const auto start_block = net.rpc().block_number().value();
  const auto log_path = net.dir() / "crash-loop.log";

  // The price falls a step per iteration (storage writes, no transaction of the test's own):
  // 2000 -> 1400 over the loop, so liquidations keep coming while keeper is killed.
  const auto price_at = [&](std::uint64_t i) {
    return chain::u256{200'000'000'000ULL - 60'000'000'000ULL * std::min(i, iterations) /
                                                std::max<std::uint64_t>(iterations, 1)};
  };

  std::map<std::string, int> self_killed;  // point -> iterations that died there
  int killed_by_test = 0, ended_alone = 0;
  std::uint64_t done = 0;
  const auto loop_end = Clock::now() + budget;
  const char* points[] = {"signed", "journalled", "sent"};
  for (; done < iterations && Clock::now() < loop_end; ++done) {
    net.write_feed_answer("WETH", price_at(done));
    // Three of four iterations die at a send point (the n-th time keeper reaches it); the
    // fourth is killed by the test at a random moment.
    const bool hook = done % 4 != 3;
    const std::string point = points[done % 3];
    if (hook)
      ::setenv("KEEPER_TEST_CRASH_AT", (point + ":" + std::to_string(1 + rng() % 2)).c_str(), 1);
    else
      ::unsetenv("KEEPER_TEST_CRASH_AT");
    keeper::testing::BackgroundKeeper k{{"run", "--config", net.config(), "--log-format", "json"},
                                        log_path};
    ::unsetenv("KEEPER_TEST_CRASH_AT");
    REQUIRE(k.started());
    const auto life = hook ? milliseconds{2500} : milliseconds{200 + rng() % 1800};
    const auto until = Clock::now() + life;
    while (k.running() && Clock::now() < until) std::this_thread::sleep_for(milliseconds{20});
    if (k.running()) {
      ::kill(k.pid(), SIGKILL);
      ++killed_by_test;
    } else if (hook) {
      ++self_killed[point];
    } else {
      ++ended_alone;
    }
    (void)k.stop();  // reaps
    // Each start must come up: a start-up refusal (journal, nonces) fails here, with its words.
    const auto out = k.output();
    INFO(out.substr(out.size() > 4000 ? out.size() - 4000 : 0));
    // A refusal to start (journal, nonces) is printed as "keeper run: why" and exits.
    CHECK(out.find("keeper run: ") == std::string::npos);
  }
  INFO("iterations " << done << ", killed by the test " << killed_by_test << ", ended alone "
                     << ended_alone);
  for (const auto& [p, n] : self_killed) INFO(p << ": " << n);
  CHECK(done >= std::min<std::uint64_t>(iterations, 50));
  // Every hook point was reached and died at least once.
  for (const char* p : points) CHECK(self_killed[p] > 0);

  // Then keeper runs undisturbed until nothing is left to do.
  keeper::testing::BackgroundKeeper last{{"run", "--config", net.config(), "--log-format", "json"},
                                         log_path};
  REQUIRE(last.started());
  const auto me = net.deployment().liquidator;
  const auto settled_by = Clock::now() + seconds{90};
  bool settled = false;
  while (!settled && Clock::now() < settled_by) {
    std::this_thread::sleep_for(milliseconds{1000});
    const auto head = net.rpc().block_number().value();
    settled = net.rpc().transaction_count(me, "pending").value() ==
                  net.rpc().transaction_count(me, "latest").value() &&
              net.below_one_at(head).empty();
  }
  INFO(last.output());
  CHECK(settled);
  REQUIRE(last.stop());
  const auto head = net.rpc().block_number().value();
  CHECK(net.below_one_at(head).empty());
  // No nonce stays open.
  CHECK(net.rpc().transaction_count(me, "pending").value() ==
        net.rpc().transaction_count(me, "latest").value());

  // The chain's record: keeper's transactions all succeeded ...
  const auto txs = keeper_transactions(net, start_block, head);
  CHECK_FALSE(txs.empty());
  for (const auto& t : txs) {
    CAPTURE(t.nonce, t.block);
    CHECK(t.success);
  }
  // ... and an account liquidated again by keeper was unhealthy again before it.
  chain::rpc::LogFilter filter;
  filter.addresses = {net.deployment().pool};
  filter.topics = {
      {chain::keccak256("LiquidationCall(address,address,address,uint256,uint256,address,bool)")}};
  filter.from_block = start_block;
  filter.to_block = head;
  std::map<std::string, std::vector<std::uint64_t>> by_account;
  const auto logs = net.rpc().logs(filter).value();
  for (const auto& log : logs) {
    chain::Hash word{};
    std::copy(log.data.begin() + 64, log.data.begin() + 96, word.begin());
    const auto by = chain::Address::from_word(word);
    if (by != me && by != net.deployment().liquidator_contract) continue;
    by_account[chain::Address::from_word(log.topics[3]).checksummed()].push_back(log.block_number);
  }
  CHECK(by_account.size() >= 46);
  int again = 0;
  for (const auto& [account, blocks] : by_account) {
    for (std::size_t i = 1; i < blocks.size(); ++i) {
      CAPTURE(account, blocks[i - 1], blocks[i]);
      ++again;
      CHECK(blocks[i] > blocks[i - 1]);  // never twice in one block
      CHECK(net.health_factor(account, blocks[i] - 1).value() <
            chain::u256{1'000'000'000'000'000'000ULL});
    }
  }
  INFO("accounts liquidated " << by_account.size() << ", again later " << again);

  // The journal: one liquidation per nonce (a cancel or gap filler may take a nonce's place).
  std::string journal_path;
  for (const auto& e : of_kind(last.events(), "journal"))
    if (e.contains("path")) journal_path = e["path"].get<std::string>();
  REQUIRE_FALSE(journal_path.empty());
  std::ifstream in(journal_path);
  std::map<std::uint64_t, std::set<std::string>> liquidations_at;
  for (std::string line; std::getline(in, line);) {
    const auto j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("intent")) continue;
    std::string key = j["intent"].get<std::string>();
    if (key.rfind("liquidation:", 0) != 0) continue;
    if (const auto r = key.find(":replace:"); r != std::string::npos) key.resize(r);
    liquidations_at[j["nonce"].get<std::uint64_t>()].insert(key);
  }
  CHECK_FALSE(liquidations_at.empty());
  for (const auto& [nonce, keys] : liquidations_at) {
    CAPTURE(nonce);
    CHECK(keys.size() == 1);
  }
}
