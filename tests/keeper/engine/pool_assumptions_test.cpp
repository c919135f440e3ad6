// Flash liquidations quote their sales on the pool book, each after the sales decided before it.
// A liquidation decided but not sent (a dry run, a standby follower, a call that cannot be
// encoded) must give its sale back: left assumed, every later quote of the block (a backrun of an
// oracle update, another market's decision) would start from pools it never moved, and a sale
// sent on such a quote reverts under its floor. The engine on a toy market, a scripted node and
// a pool built in memory.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "chain/signer.hpp"
#include "dex/uniswap_v3/tick_math.hpp"
#include "keeper/engine/block_pipeline.hpp"
#include "keeper/market/pool_book.hpp"
#include "tests/support/engine_heads.hpp"
#include "tests/support/scripted_mempool.hpp"
#include "tests/support/toy_protocol.hpp"

namespace {

namespace v3 = dex::uniswap_v3;
using chain::u256;
using keeper::testing::ScriptedMempool;
using keeper::testing::ToyProtocol;
namespace fs = std::filesystem;

constexpr const char* kKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const u256 kUnit{1'000'000'000'000'000'000ULL};
const chain::Address kPool =
    chain::Address::from_hex("0x00000000000000000000000000000000000000f1").value();
const chain::Address kContract =
    chain::Address::from_hex("0x00000000000000000000000000000000000000ce").value();
const chain::Address kBorrower =
    chain::Address::from_hex("0x00000000000000000000000000000000000000b1").value();
constexpr std::uint64_t kBlock = 50;

// TOYC/TOYD (token0/token1) at ~998 TOYD a TOYC, full range, ~32k TOYC deep.
keeper::market::PoolBook toy_pool_book() {
  v3::PoolState p;
  p.address = kPool;
  p.token0 = ToyProtocol::kCollateral;
  p.token1 = ToyProtocol::kDebt;
  p.fee = 3000;
  p.ticks = v3::TickTable{60};
  const u256 liquidity = u256{1'000'000} * kUnit;
  REQUIRE(p.ticks.update(-887220, chain::i256{liquidity}, false).has_value());
  REQUIRE(p.ticks.update(887220, chain::i256{liquidity}, true).has_value());
  p.tick = 69060;
  p.sqrt_price_x96 = v3::get_sqrt_ratio_at_tick(p.tick).value();
  p.liquidity = liquidity;
  return keeper::market::PoolBook::of({}, {std::move(p)}, kBlock);
}

// The engine's heads: tests/support/engine_heads.hpp.
constexpr auto head = &keeper::testing::engine_head;

u256 one_toyc_quote(const keeper::market::PoolBook& book) {
  const strategy::SwapLeg leg{kPool, ToyProtocol::kCollateral, ToyProtocol::kDebt, 3000};
  return book.quote(std::span{&leg, 1}, kUnit).value();
}

enum class Role { dry_run, follower, leader_without_flash_call };

}  // namespace

TEST_CASE("a flash liquidation decided but not sent leaves the pools as they were",
          "[engine][unit][flash]") {
  const std::vector<std::pair<const char*, Role>> roles{
      {"a dry run", Role::dry_run},
      {"a standby follower", Role::follower},
      {"a leader whose protocol cannot encode the flash call", Role::leader_without_flash_call}};
  for (const auto& [name, role] : roles) {
    CAPTURE(name);
    ToyProtocol toy;
    toy.loans[kBorrower] = {u256{10} * kUnit, u256{10'000} * kUnit};
    toy.prices[0] = u256{1000} * 100'000'000;  // $1,000 a TOYC: below 1, half may be repaid
    ScriptedMempool mempool{31337, 0};
    mempool.node().answer("eth_call", "0x" + std::string(64, 'f'));
    chain::rpc::RpcClient rpc = mempool.node().client();
    const auto key = chain::PrivateKey::from_hex(kKey).value();
    const fs::path journal_path =
        fs::temp_directory_path() / ("keeper-pool-assumptions-" + std::to_string(::getpid()));
    fs::remove(journal_path);
    std::optional<keeper::tx::TxManager> manager;
    if (role == Role::leader_without_flash_call) {
      keeper::tx::TxManagerOptions o;
      o.chain_id = 31337;
      o.max_fee_per_gas_cap = u256{100'000'000'000ULL};
      o.max_priority_fee_cap = u256{3'000'000'000ULL};
      o.max_spend_per_hour_wei = kUnit;
      manager.emplace(keeper::tx::TxManager::create(
                          rpc, key, keeper::tx::Journal::open(journal_path).value(), o)
                          .value());
    }
    keeper::ops::Log log{false, keeper::ops::Level::error};
    keeper::ops::Metrics metrics;
    strategy::LiquidationStrategyConfig config;
    config.funding = strategy::Funding::flash;
    config.min_profit_usd = 1;
    config.max_fee_per_gas_wei = u256{100'000'000'000ULL};
    strategy::LiquidationStrategy strategy{config};
    keeper::engine::PipelineOptions options;
    options.dry_run = role == Role::dry_run;
    options.liquidator_contract = kContract;
    keeper::engine::BlockPipeline pipeline{
        rpc, toy, strategy, manager ? &*manager : nullptr, key.address(), log, metrics, options};
    auto book = toy_pool_book();
    pipeline.use_swap_venue(&book);
    const u256 before = one_toyc_quote(book);

    pipeline.on_head(head(kBlock), std::chrono::steady_clock::now());
    pipeline.finish_head(head(kBlock));
    // The strategy did decide a flash liquidation (and assumed its sale while deciding) ...
    CHECK(pipeline.totals().opportunities == 1);
    CHECK(mempool.taken().empty());
    // ... and, nothing having gone out, the pool quotes as it did before.
    CHECK(one_toyc_quote(book) == before);
    fs::remove(journal_path);
  }
}
