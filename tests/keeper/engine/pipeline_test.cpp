// The engine end to end without a node: a toy protocol (tests/support/toy_protocol.*) for the
// market, a scripted node for the chain. Heads, price ticks and competitors' pending
// liquidations go in; what reaches the node's mempool comes out.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "chain/signer.hpp"
#include "keeper/engine/block_pipeline.hpp"
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

chain::rpc::BlockHeader head(std::uint64_t number) {
  chain::rpc::BlockHeader h;
  h.number = number;
  h.timestamp = 1'700'000'000 + number;
  h.base_fee_per_gas = u256{1'000'000'000ULL};
  h.gas_used = 15'000'000;
  h.gas_limit = 30'000'000;
  return h;
}

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
