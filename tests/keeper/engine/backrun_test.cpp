// The backrun path without a node: a toy market whose collateral price comes from an aggregator
// (ToyProtocol::kCollateralFeed), a scripted node for the mempool. An update to that aggregator
// arrives as a pending transaction; what keeper sends behind it comes out.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <set>

#include <boost/asio/io_context.hpp>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "chain/signer.hpp"
#include "keeper/engine/block_pipeline.hpp"
#include "keeper/ofa/mev_share_sender.hpp"
#include "tests/support/engine_heads.hpp"
#include "tests/support/io_wait.hpp"
#include "tests/support/scripted_mempool.hpp"
#include "tests/support/test_mev_share_relay.hpp"
#include "tests/support/toy_protocol.hpp"

namespace {

using chain::u256;
using keeper::testing::ScriptedMempool;
using keeper::testing::ToyProtocol;
namespace fs = std::filesystem;

constexpr const char* kKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const u256 kEther{1'000'000'000'000'000'000ULL};
const u256 kGwei{1'000'000'000ULL};
const chain::Address kBorrower =
    chain::Address::from_hex("0x00000000000000000000000000000000000000b1").value();
const chain::Address kContract =
    chain::Address::from_hex("0x00000000000000000000000000000000000000cc").value();
constexpr std::string_view kSearcherKey =
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";
const chain::Address kTransmitter =
    chain::Address::from_hex("0x00000000000000000000000000000000000000ee").value();

u256 usd(std::uint64_t dollars) { return u256{dollars} * 100'000'000; }

// The engine's heads: tests/support/engine_heads.hpp.
constexpr auto head = &keeper::testing::engine_head;

bool metric_has(const keeper::ops::Metrics& m, const std::string& line) {
  return m.render(std::chrono::system_clock::now()).find(line) != std::string::npos;
}

// The devnet aggregator's own update call, `updateAnswer(int256)`, setting the collateral price.
chain::rpc::PendingTransaction update_to(const u256& price, std::uint64_t nonce,
                                         const u256& max_fee, const u256& tip) {
  chain::rpc::PendingTransaction tx;
  tx.from = kTransmitter;
  tx.to = ToyProtocol::kCollateralFeed;
  tx.nonce = nonce;
  tx.type = 2;
  tx.max_fee_per_gas = max_fee;
  tx.max_priority_fee_per_gas = tip;
  tx.input = chain::abi::encode_call(
                 "updateAnswer(int256)",
                 chain::abi::Values{chain::abi::Value::from_int(chain::i256{chain::to_dec(price)})})
                 .value();
  tx.hash = chain::keccak256(tx.input);  // any hash unique to the content will do here
  tx.hash[0] ^= static_cast<std::uint8_t>(nonce);
  return tx;
}

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

  Engine(bool dry_run, std::optional<chain::Address> contract) {
    mempool.node().answer("eth_call", "0x" + std::string(64, 'f'));
    toy.loans[kBorrower] = {10 * kEther, 15'000 * kEther};  // HF 1.067 at $2000; 1 at $1875
    journal_path =
        fs::temp_directory_path() / ("keeper-backrun-" + std::to_string(::getpid()) + ".log");
    fs::remove(journal_path);
    if (!dry_run) {
      keeper::tx::TxManagerOptions o;
      o.chain_id = 31337;
      o.max_fee_per_gas_cap = u256{100'000'000'000ULL};
      o.max_priority_fee_cap = u256{30'000'000'000ULL};
      o.max_spend_per_hour_wei = kEther;
      manager.emplace(keeper::tx::TxManager::create(
                          rpc, key, keeper::tx::Journal::open(journal_path).value(), o)
                          .value());
    }
    keeper::engine::PipelineOptions options;
    options.dry_run = dry_run;
    options.liquidator_contract = contract;
    options.max_fee_per_gas_wei = u256{100'000'000'000ULL};
    pipeline.emplace(rpc, toy, strategy, manager ? &*manager : nullptr, key.address(), log, metrics,
                     options);
    pipeline->on_head(head(100), std::chrono::steady_clock::now());
    pipeline->finish_head(head(100));  // follows the price sources: the aggregator among them
  }
  ~Engine() { fs::remove(journal_path); }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  static strategy::LiquidationStrategyConfig config() {
    strategy::LiquidationStrategyConfig c;
    c.min_profit_usd = 10;
    c.max_fee_per_gas_wei = u256{100'000'000'000ULL};
    c.max_priority_fee_per_gas_wei = u256{30'000'000'000ULL};
    return c;
  }
  void pending(const chain::rpc::PendingTransaction& tx) {
    pipeline->on_pending_transaction(tx, std::chrono::steady_clock::now());
  }
  [[nodiscard]] std::size_t sent() const { return mempool.taken().size(); }
  [[nodiscard]] const chain::Eip1559Tx& last() const {
    return std::get<chain::Eip1559Tx>(mempool.taken().back().tx);
  }
};

}  // namespace

TEST_CASE("backrun fees: the update's max fee and a tip just under its effective tip",
          "[engine][unit]") {
  struct Row {
    const char* what;
    std::uint8_t type;
    std::optional<u256> gas_price, max_fee, tip;
    u256 base_fee;
    std::optional<u256> want_max_fee, want_tip;
  };
  const Row rows[] = {
      {"1559, tip below the headroom", 2, u256{50}, u256{50}, u256{3}, u256{10}, u256{50}, u256{2}},
      {"1559, headroom below the tip", 2, u256{12}, u256{12}, u256{5}, u256{10}, u256{12}, u256{1}},
      {"1559, no tip: arrival order", 2, u256{50}, u256{50}, u256{0}, u256{10}, u256{50}, u256{0}},
      {"legacy gas price", 0, u256{30}, std::nullopt, std::nullopt, u256{10}, u256{30}, u256{19}},
      {"cannot pay the base fee", 2, u256{9}, u256{9}, u256{1}, u256{10}, std::nullopt,
       std::nullopt},
  };
  for (const auto& r : rows) {
    INFO(r.what);
    chain::rpc::PendingTransaction tx;
    tx.type = r.type;
    tx.gas_price = r.gas_price;
    tx.max_fee_per_gas = r.max_fee;
    tx.max_priority_fee_per_gas = r.tip;
    const auto fees = keeper::engine::backrun_fees(tx, r.base_fee);
    REQUIRE(fees.has_value() == r.want_max_fee.has_value());
    if (!fees) continue;
    CHECK(fees->max_fee_per_gas == *r.want_max_fee);
    CHECK(fees->tip == *r.want_tip);
  }
  // What the liquidation can afford and keeper's cap only ever lower them.
  const keeper::engine::BackrunFees wanted{u256{50}, u256{20}};
  CHECK(keeper::engine::clamp_backrun_fees(wanted, u256{7}, u256{100}).tip == 7);
  CHECK(keeper::engine::clamp_backrun_fees(wanted, u256{70}, u256{40}).max_fee_per_gas == 40);
  CHECK(keeper::engine::clamp_backrun_fees(wanted, u256{70}, u256{15}).tip == 15);
}

TEST_CASE("a pending oracle update is backrun at its price, right behind it", "[engine][unit]") {
  Engine e{false, kContract};
  REQUIRE(e.sent() == 0);  // healthy at the mined $2000
  const auto update = update_to(usd(1700), 7, 40 * kGwei, 3 * kGwei);
  e.pending(update);
  REQUIRE(e.sent() == 1);
  CHECK(e.last().to == kContract);
  CHECK(e.last().data == ToyProtocol::liquidation_data(kBorrower));
  CHECK(e.last().max_fee_per_gas == 40 * kGwei);              // the update's max fee
  CHECK(e.last().max_priority_fee_per_gas == 3 * kGwei - 1);  // just under its tip
  CHECK(e.pipeline->totals().backruns_sent == 1);
  CHECK(metric_has(e.metrics, "keeper_events_total{kind=\"pending_update\"} 1"));
  // The mined state still says $2000: the decision came from the pending price alone.
  CHECK(e.toy.prices[0] == usd(2000));

  SECTION("the same update again is not acted on twice") {
    e.pending(update);
    CHECK(e.sent() == 1);
  }
  SECTION("a replacement is noticed; the account in flight is not sent for again") {
    e.pending(update_to(usd(1650), 7, 45 * kGwei, 4 * kGwei));
    CHECK(e.sent() == 1);
    CHECK(metric_has(e.metrics, "keeper_events_total{kind=\"pending_update_replaced\"} 1"));
    CHECK(metric_has(e.metrics, "keeper_skipped_total{reason=\"in_flight\"} 1"));
  }
}

TEST_CASE("pending updates that are not backrun, and why", "[engine][unit]") {
  SECTION("a price that leaves every account healthy sends nothing") {
    Engine e{false, kContract};
    e.pending(update_to(usd(1900), 1, 40 * kGwei, 3 * kGwei));
    CHECK(e.sent() == 0);
    CHECK(metric_has(e.metrics, "keeper_events_total{kind=\"pending_update\"} 1"));
  }
  SECTION("malformed transmit calldata is counted, never acted on") {
    Engine e{false, kContract};
    auto bad = update_to(usd(1700), 1, 40 * kGwei, 3 * kGwei);
    bad.input = {0xb1, 0xdc, 0x65, 0xa4, 0x00};  // OCR2 transmit's selector, then nothing
    e.pending(bad);
    CHECK(e.sent() == 0);
    CHECK(metric_has(e.metrics, "keeper_events_total{kind=\"pending_update_malformed\"} 1"));
  }
  SECTION("an update that cannot pay the next base fee will not be in the next block") {
    Engine e{false, kContract};
    e.pending(update_to(usd(1700), 1, kGwei / 2, kGwei / 2));
    CHECK(e.sent() == 0);
    CHECK(metric_has(e.metrics, "keeper_skipped_total{reason=\"update_below_base_fee\"} 1"));
  }
  SECTION("without keeper's contract a dropped update would cost a full revert: let go") {
    Engine e{false, std::nullopt};
    e.pending(update_to(usd(1700), 1, 40 * kGwei, 3 * kGwei));
    CHECK(e.sent() == 0);
    CHECK(metric_has(e.metrics, "keeper_skipped_total{reason=\"backrun_needs_contract\"} 1"));
  }
  SECTION("a transaction to another address is no update") {
    Engine e{false, kContract};
    auto other = update_to(usd(1700), 1, 40 * kGwei, 3 * kGwei);
    other.to = kContract;
    e.pending(other);
    CHECK(e.sent() == 0);
    CHECK_FALSE(metric_has(e.metrics, "kind=\"pending_update\""));
  }
}

TEST_CASE("a dry run reports the backrun it would send, and sends nothing", "[engine][unit]") {
  Engine e{true, kContract};
  e.pending(update_to(usd(1700), 1, 40 * kGwei, 3 * kGwei));
  CHECK(e.mempool.node().count("eth_sendRawTransaction") == 0);
  CHECK(e.pipeline->totals().dry_run_reports == 1);
  // No simulation: the account is healthy until the update is mined.
  CHECK(e.mempool.node().params_of("eth_call").empty());
}

TEST_CASE("an update hinted by an order-flow auction is answered with one mev_sendBundle each",
          "[engine][unit][ofa]") {
  Engine e{false, kContract};
  keeper::testing::TestMevShareRelay relay;
  boost::asio::io_context io;
  keeper::ofa::MevShareSenderOptions options;
  options.endpoint_urls = {relay.url()};
  const auto searcher = chain::PrivateKey::from_hex(
                            "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6")
                            .value();
  const auto searcher_address = searcher.address();
  auto sender = keeper::ofa::MevShareSender::create(
                    io, chain::PrivateKey::from_hex(std::string{kSearcherKey}).value(), options)
                    .value();
  e.pipeline->use_auctions(sender.get(), 3);
  // A second borrower, so the update makes two accounts liquidatable: two bundles.
  const auto other = chain::Address::from_hex("0x00000000000000000000000000000000000000b2").value();
  e.toy.loans[other] = {5 * kEther, 8'000 * kEther};  // HF 1.0 at $2000; 0.85 at $1700
  e.pipeline->on_head(head(101), std::chrono::steady_clock::now());
  e.pipeline->finish_head(head(101));
  const chain::Hash update = chain::keccak256(std::string_view{"an SVR update"});
  e.pipeline->on_hinted_update(ToyProtocol::kCollateralFeed, chain::i256{chain::to_dec(usd(1700))},
                               update, std::chrono::steady_clock::now());
  // Signed and journalled, never broadcast: only the auction can place it behind the update.
  CHECK(e.mempool.node().count("eth_sendRawTransaction") == 0);
  REQUIRE(keeper::testing::run_until(
      io, [&] { return relay.counts().accepted >= 2; }, std::chrono::milliseconds{5000}));
  const auto bundles = relay.bundles();
  REQUIRE(bundles.size() == 2);
  // Hex keys: GCC 12 at -O3 flags std::less<std::vector<uint8_t>> (a false -Wstringop-overread).
  std::set<std::string> journalled;
  for (const auto& [hash, entry] : e.manager->journal().entries())
    journalled.insert(chain::hex_encode(entry.raw));
  for (const auto& b : bundles) {
    CHECK(b.signer == searcher_address);
    CHECK(b.hashes == std::vector<chain::Hash>{update});
    CHECK_FALSE(b.can_revert);
    CHECK(b.block == 102);  // the head after the state's
    CHECK(b.max_block == std::optional<std::uint64_t>{104});
    CHECK(journalled.count(chain::hex_encode(b.backrun)) == 1);
  }
  CHECK(metric_has(e.metrics, "keeper_transactions_total{outcome=\"auctioned\"} 2"));
}
