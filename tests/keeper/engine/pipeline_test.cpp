// The engine end to end without a node: a toy protocol (tests/support/toy_protocol.*) for the
// market, a scripted node for the chain. Heads, price ticks and competitors' pending
// liquidations go in; what reaches the node's mempool comes out.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "chain/signer.hpp"
#include "keeper/engine/block_pipeline.hpp"
#include "tests/support/engine_heads.hpp"
#include "tests/support/scripted_mempool.hpp"
#include "tests/support/toy_protocol.hpp"

namespace {

using chain::u256;
using keeper::testing::ScriptedMempool;
using keeper::testing::ToyProtocol;
namespace fs = std::filesystem;

constexpr const char* kKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const u256 kEther{1'000'000'000'000'000'000ULL};
const chain::Address kBorrower =
    chain::Address::from_hex("0x00000000000000000000000000000000000000b1").value();

u256 usd(std::uint64_t dollars) { return u256{dollars} * 100'000'000; }

// The engine's heads: tests/support/engine_heads.hpp.
constexpr auto head = &keeper::testing::engine_head;

bool metric_has(const keeper::ops::Metrics& m, const std::string& line) {
  return m.render(std::chrono::system_clock::now()).find(line) != std::string::npos;
}

// One engine on a toy market and a scripted node; `dry_run` leaves the transaction manager out.
struct Engine {
  ToyProtocol toy;
  ScriptedMempool mempool{31337, 0};
  chain::rpc::RpcClient rpc = mempool.node().client();
  chain::PrivateKey key = chain::PrivateKey::from_hex(kKey).value();
  fs::path journal_path;
  std::optional<keeper::tx::TxManager> manager;
  keeper::ops::Log log{false, keeper::ops::Level::error};
  keeper::ops::Metrics metrics;
  strategy::LiquidationStrategy strategy{config()};
  std::optional<keeper::engine::BlockPipeline> pipeline;

  explicit Engine(bool dry_run = false, std::optional<chain::Address> contract = std::nullopt) {
    // Every view call (balances, allowances) answers "as much as there is": no approvals needed.
    mempool.node().answer("eth_call", "0x" + std::string(64, 'f'));
    toy.loans[kBorrower] = {10 * kEther, 15'000 * kEther};  // HF 1.067 at $2000
    journal_path =
        fs::temp_directory_path() / ("keeper-pipeline-" + std::to_string(::getpid()) + ".log");
    fs::remove(journal_path);
    if (!dry_run) {
      keeper::tx::TxManagerOptions o;
      o.chain_id = 31337;
      o.max_fee_per_gas_cap = u256{100'000'000'000ULL};
      o.max_priority_fee_cap = u256{3'000'000'000ULL};
      o.max_spend_per_hour_wei = kEther;
      manager.emplace(keeper::tx::TxManager::create(
                          rpc, key, keeper::tx::Journal::open(journal_path).value(), o)
                          .value());
    }
    keeper::engine::PipelineOptions options;
    options.dry_run = dry_run;
    options.liquidator_contract = contract;
    pipeline.emplace(rpc, toy, strategy, manager ? &*manager : nullptr, key.address(), log, metrics,
                     options);
  }
  ~Engine() { fs::remove(journal_path); }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  static strategy::LiquidationStrategyConfig config() {
    strategy::LiquidationStrategyConfig c;
    c.min_profit_usd = 10;
    c.max_fee_per_gas_wei = u256{100'000'000'000ULL};
    return c;
  }
  void on_head(std::uint64_t n) {
    pipeline->on_head(head(n), std::chrono::steady_clock::now());
    pipeline->finish_head(head(n));
  }
  [[nodiscard]] std::size_t sent() const { return mempool.taken().size(); }
  [[nodiscard]] const chain::Eip1559Tx& last() const {
    return std::get<chain::Eip1559Tx>(mempool.taken().back().tx);
  }
};

}  // namespace

TEST_CASE("a head that makes an account liquidatable becomes its liquidation", "[engine][unit]") {
  Engine e;
  e.on_head(100);
  CHECK(e.sent() == 0);         // healthy at $2000
  e.toy.prices[0] = usd(1700);  // HF 0.907
  e.on_head(101);
  REQUIRE(e.sent() == 1);
  CHECK(e.last().to == ToyProtocol::kMarket);
  CHECK(e.last().data == ToyProtocol::liquidation_data(kBorrower));
  CHECK(e.last().nonce == 0);
  // Priced from the head: the next base fee (unchanged at half-full blocks) plus a tip.
  CHECK(e.last().max_fee_per_gas > u256{1'000'000'000ULL});
  CHECK(e.pipeline->totals().liquidations_sent == 1);
}

TEST_CASE("a price log becomes a liquidation before the next head", "[engine][unit]") {
  Engine e;
  e.on_head(100);  // ranks the account: its collateral's liquidation price is $1875
  struct Row {
    const char* what;
    std::uint64_t price;
    std::size_t sent;
  };
  const Row rows[] = {{"a move that crosses no trigger", 1900, 0},
                      {"a log of another asset's unchanged price", 0, 0},
                      {"a move below the trigger", 1800, 1}};
  for (const auto& row : rows) {
    CAPTURE(row.what);
    const auto log = row.price == 0 ? ToyProtocol::price_log(1, usd(1), 101)
                                    : ToyProtocol::price_log(0, usd(row.price), 101);
    e.pipeline->on_price_log(log, std::chrono::steady_clock::now());
    CHECK(e.sent() == row.sent);
  }
  CHECK(e.last().data == ToyProtocol::liquidation_data(kBorrower));
  CHECK(metric_has(e.metrics, "keeper_events_total{kind=\"price_tick\"} 3"));
}

TEST_CASE("an account with our liquidation in flight is skipped, not sent twice",
          "[engine][unit]") {
  Engine e;
  e.on_head(100);
  e.toy.prices[0] = usd(1700);
  e.on_head(101);
  REQUIRE(e.sent() == 1);
  e.on_head(102);  // still liquidatable, still ours in flight
  CHECK(e.sent() == 1);
  CHECK(metric_has(e.metrics, "keeper_skipped_total{reason=\"in_flight\"} 1"));
}

// What a busy engine meets: the node is a block ahead of the head being processed, so the
// receipt of our liquidation is known while the state does not show it yet. Liquidating the
// account again on that state would pay for a no-op or a revert.
TEST_CASE("an account whose liquidation landed in a block the state does not reach yet waits",
          "[engine][unit]") {
  Engine e;
  e.on_head(100);
  e.toy.prices[0] = usd(1700);  // HF 0.907
  e.on_head(101);
  REQUIRE(e.sent() == 1);
  e.mempool.mine(0, 103);
  // A block of interest later the account's liquidation is another intent (another amount): the
  // journal's duplicate check does not catch it.
  e.toy.loans[kBorrower].debt += kEther;
  e.on_head(102);  // skipped while in flight; its follow-up finds the receipt of block 103
  CHECK(e.sent() == 1);
  // A tick decided on the state of block 102: the account still looks liquidatable there.
  e.pipeline->on_price_log(ToyProtocol::price_log(0, usd(1650), 102),
                           std::chrono::steady_clock::now());
  CHECK(e.sent() == 1);
  CHECK(metric_has(e.metrics, "keeper_skipped_total{reason=\"landed_ahead_of_state\"} 1"));
  // The state of block 103 shows the liquidation (half the debt repaid, collateral seized); what
  // it leaves below 1 is liquidated again.
  e.toy.loans[kBorrower] = {5 * kEther, 7'000 * kEther};  // HF 0.971 at $1700
  e.on_head(103);
  REQUIRE(e.sent() == 2);
  CHECK(e.last().nonce == 1);
}

// A standby follower that took the lease, or keeper restarted: the journal hands over a
// liquidation decided by another process, still in flight. The new view cannot tell what it will
// take (the account, a pool's price, a balance) before its own would land behind it.
TEST_CASE(
    "a manager handed over with another process's liquidation in flight sends nothing "
    "beside it until the state shows it",
    "[engine][unit]") {
  Engine e;  // the old leader: sends at block 101, then dies
  e.on_head(100);
  e.toy.prices[0] = usd(1700);
  e.on_head(101);
  REQUIRE(e.sent() == 1);

  // The follower: its own book, decided at every head but with nothing to send through.
  ToyProtocol toy;
  toy.loans = e.toy.loans;
  toy.prices[0] = usd(1700);
  keeper::ops::Metrics metrics;
  strategy::LiquidationStrategy strategy{Engine::config()};
  keeper::engine::BlockPipeline follower{e.rpc,           toy,   strategy, nullptr,
                                         e.key.address(), e.log, metrics,  {}};
  follower.on_head(head(101), std::chrono::steady_clock::now());
  follower.finish_head(head(101));
  // It takes over: the old leader's journal adopted (its transaction rebroadcast as signed).
  keeper::tx::TxManagerOptions o;
  o.chain_id = 31337;
  o.max_fee_per_gas_cap = u256{100'000'000'000ULL};
  o.max_priority_fee_cap = u256{3'000'000'000ULL};
  o.max_spend_per_hour_wei = kEther;
  auto manager = keeper::tx::TxManager::create(e.rpc, e.key,
                                               keeper::tx::Journal::open(e.journal_path).value(), o)
                     .value();
  REQUIRE(manager.is_in_flight(0));
  follower.attach_manager(&manager);
  const std::size_t taken = e.sent();

  // A block of interest later the same account's liquidation is another intent (another amount):
  // the journal's duplicate check does not catch it.
  toy.loans[kBorrower].debt += kEther;
  e.mempool.mine(0, 103);
  follower.on_head(head(102), std::chrono::steady_clock::now());
  CHECK(e.sent() == taken);
  follower.finish_head(head(102));  // the inherited transaction is found mined, in block 103
  follower.on_price_log(ToyProtocol::price_log(0, usd(1650), 102),
                        std::chrono::steady_clock::now());
  CHECK(e.sent() == taken);
  CHECK(metric_has(metrics, "keeper_skipped_total{reason=\"inherited_in_flight\"} 2"));
  // The state of block 103 shows it: the new leader sends, at the next nonce.
  toy.loans[kBorrower] = {5 * kEther, 7'000 * kEther};
  follower.on_head(head(103), std::chrono::steady_clock::now());
  REQUIRE(e.sent() == taken + 1);
  CHECK(e.last().nonce == 1);
}

// Losing a race is routine: keeper's contract finds the account taken and stops cheaply. That
// receipt is not what a liquidation costs. Learned as its kind's figure, it set the next
// liquidation's gas limit far too low: on the devnet a new leader's no-ops (38k) made the next
// real liquidations of two kinds run out of gas six times in a row each.
TEST_CASE("a liquidation mined as a no-op teaches the gas model nothing, one that liquidated does",
          "[engine][unit]") {
  Engine e;  // the scripted node's receipts all say 21,000 gas
  e.on_head(100);
  e.toy.prices[0] = usd(1700);
  e.on_head(101);
  REQUIRE(e.sent() == 1);
  const std::uint64_t unlearned = e.last().gas_limit;
  CHECK(unlearned > 100'000);
  e.mempool.mine(0, 102);  // a no-op: the toy reports nothing liquidated
  e.on_head(102);
  e.toy.loans[kBorrower] = {5 * kEther, 7'000 * kEther};  // HF 0.971: liquidatable again
  e.on_head(103);
  REQUIRE(e.sent() == 2);
  CHECK(e.last().gas_limit == unlearned);
  e.toy.liquidations_land = true;
  e.mempool.mine(1, 104);  // this one liquidated
  e.on_head(104);
  e.toy.loans[kBorrower] = {4 * kEther, 6'000 * kEther};  // HF 0.907
  e.on_head(105);
  REQUIRE(e.sent() == 3);
  CHECK(e.last().gas_limit < unlearned);  // 21,000 and the margins
}

TEST_CASE("a reverted liquidation may raise its kind's gas limit, never lower it",
          "[engine][unit]") {
  Engine e;
  e.on_head(100);
  e.toy.prices[0] = usd(1700);
  e.on_head(101);
  REQUIRE(e.sent() == 1);
  const std::uint64_t unlearned = e.last().gas_limit;
  e.mempool.mine(0, 102, false);  // reverted early, at 21,000
  e.on_head(102);
  e.toy.loans[kBorrower] = {5 * kEther, 7'000 * kEther};
  e.on_head(103);
  REQUIRE(e.sent() == 2);
  CHECK(e.last().gas_limit == unlearned);
}

TEST_CASE("a send the node refuses frees the account for the next head", "[engine][unit]") {
  Engine e;
  e.on_head(100);
  e.toy.prices[0] = usd(1700);
  bool refuse = true;
  e.mempool.refuse_when([&](const chain::SignedTx&) -> std::optional<std::string> {
    if (refuse) return "insufficient funds for gas * price + value";
    return std::nullopt;
  });
  e.on_head(101);
  CHECK(e.sent() == 0);
  CHECK(e.mempool.refused() == 1);
  // Over HTTP the refusal is the batch's answer (over a WebSocket it streams back as
  // "send_refused"): either way nothing of ours is in flight for the account.
  CHECK(metric_has(e.metrics, "keeper_skipped_total{reason=\"send_rpc\"} 1"));
  CHECK(e.pipeline->totals().liquidations_sent == 0);
  refuse = false;
  e.on_head(102);
  REQUIRE(e.sent() == 1);
  CHECK(e.last().nonce == 0);  // the refused nonce was free again
}

TEST_CASE("a competitor's pending liquidation is met with a bid above its tip", "[engine][unit]") {
  Engine e;
  e.on_head(100);
  e.toy.prices[0] = usd(1700);  // liquidatable in keeper's book; no head has said so yet
  chain::rpc::PendingTransaction rival;
  rival.from = chain::Address::from_hex("0x00000000000000000000000000000000000000aa").value();
  rival.to = ToyProtocol::kMarket;
  rival.input = ToyProtocol::liquidation_data(kBorrower);
  rival.type = 2;
  rival.max_fee_per_gas = u256{5'000'000'000ULL};
  rival.max_priority_fee_per_gas = u256{1'000'000'000ULL};
  e.pipeline->on_pending_transaction(rival, std::chrono::steady_clock::now());
  REQUIRE(e.sent() == 1);
  CHECK(e.last().max_priority_fee_per_gas > u256{1'000'000'000ULL});
  CHECK(metric_has(e.metrics, "keeper_events_total{kind=\"competitor_seen\"} 1"));
  // Calldata that names the liquidation but does not decode is no competition.
  rival.input.pop_back();
  e.pipeline->on_pending_transaction(rival, std::chrono::steady_clock::now());
  CHECK(e.sent() == 1);
}

TEST_CASE("a dry run simulates and reports, and sends nothing", "[engine][unit]") {
  Engine e{true};
  e.on_head(100);
  e.toy.prices[0] = usd(1700);
  e.on_head(101);
  CHECK(e.mempool.node().count("eth_sendRawTransaction") == 0);
  CHECK(e.pipeline->totals().dry_run_reports == 1);
  const auto calls = e.mempool.node().params_of("eth_call");
  REQUIRE_FALSE(calls.empty());
  CHECK(calls.back()[0]["to"] == ToyProtocol::kMarket.lower_hex());
}
