#include <catch2/catch.hpp>

#include "protocols/aave_v3/aave_v3_protocol.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"
#include "strategy/liquidation_strategy.hpp"

using namespace strategy;
using namespace protocols::aave_v3;
using chain::u256;

namespace {

// WETH (id 0) and USDC (id 1) at $2000 and $1, with real risk parameters and a 10% protocol fee.
Market market(std::uint64_t weth_price_usd) {
  Market m;
  Reserve weth;
  weth.asset = chain::Address::from_hex("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2").value();
  weth.symbol = "WETH";
  weth.id = 0;
  weth.config = {8000, 8250, 10500, 18, true};
  weth.config.liquidation_protocol_fee = 1000;
  weth.liquidity_index = kRay;
  weth.variable_borrow_index = kRay;
  weth.price = u256{weth_price_usd} * 100'000'000;
  Reserve usdc = weth;
  usdc.asset = chain::Address::from_hex("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48").value();
  usdc.symbol = "USDC";
  usdc.id = 1;
  usdc.config = {7700, 8000, 10450, 6, true};
  usdc.price = 100'000'000;
  m.reserves = {weth, usdc};
  return m;
}

// 10 WETH collateral against `debt` USDC.
Account borrower(std::uint64_t debt_usdc) {
  Account a;
  a.config.data = 0b0110;
  a.positions = {{0, u256{10} * kWad, 0, 0, 0, 0}, {1, 0, u256{debt_usdc} * 1'000'000, 0, 0, 0}};
  return a;
}

// The market through the protocol adapter, at block 1, timestamp 0.
MarketView view_of(const protocols::aave_v3::AaveV3Protocol& protocol) {
  MarketView view;
  view.protocol = &protocol;
  view.block = 1;
  return view;
}

// The liquidations among the strategy's actions (the rest are skips with reasons).
std::vector<LiquidateAction> liquidations(const std::vector<Action>& actions) {
  std::vector<LiquidateAction> out;
  for (const auto& a : actions)
    if (const auto* l = std::get_if<LiquidateAction>(&a)) out.push_back(*l);
  return out;
}

}  // namespace

TEST_CASE("the strategy turns a price drop into liquidation actions, best first", "[strategy]") {
  LiquidationStrategyConfig cfg;
  cfg.min_profit_usd = 10;
  cfg.max_fee_per_gas_wei = u256{10'000'000'000ULL};  // 10 gwei
  LiquidationStrategy s{cfg};
  const chain::Address small =
      chain::Address::from_hex("0x0000000000000000000000000000000000000001").value();
  const chain::Address big =
      chain::Address::from_hex("0x0000000000000000000000000000000000000002").value();
  const chain::Address safe =
      chain::Address::from_hex("0x0000000000000000000000000000000000000003").value();
  const std::map<chain::Address, Account> accounts{
      {small, borrower(12'000)}, {big, borrower(15'000)}, {safe, borrower(5'000)}};

  struct Row {
    std::uint64_t weth_usd;
    std::vector<chain::Address> expected;  // in order of profit
  };
  const std::vector<Row> rows{
      {2000, {}},            // everyone healthy
      {1700, {big}},         // 15000 debt: HF 0.935
      {1400, {big, small}},  // both below 1; the bigger debt pays more
  };
  for (const auto& row : rows) {
    CAPTURE(row.weth_usd);
    const Market m = market(row.weth_usd);
    const protocols::aave_v3::AaveV3Protocol protocol{m, accounts, 1, {}, {}};
    const MarketView view = view_of(protocol);
    s.sync_state(view);
    const auto actions = liquidations(s.process_event(NewBlock{view}));
    REQUIRE(actions.size() == row.expected.size());
    for (std::size_t i = 0; i < actions.size(); ++i) {
      const auto& a = actions[i];
      CHECK(a.opportunity.account == row.expected[i]);
      CHECK(a.opportunity.collateral_asset == m.reserves[0].asset);
      CHECK(a.opportunity.debt_asset == m.reserves[1].asset);
      CHECK(a.profit_usd >= cfg.min_profit_usd);
    }
  }
}

TEST_CASE("deny lists and the profit floor filter actions", "[strategy]") {
  const Market m = market(1400);
  const std::map<chain::Address, Account> accounts{
      {chain::Address::from_hex("0x0000000000000000000000000000000000000001").value(),
       borrower(12'000)}};
  const protocols::aave_v3::AaveV3Protocol protocol{m, accounts, 1, {}, {}};
  const MarketView view = view_of(protocol);
  LiquidationStrategyConfig denied;
  denied.deny_assets = {"USDC"};
  LiquidationStrategy s1{denied};
  CHECK(liquidations(s1.process_event(NewBlock{view})).empty());
  LiquidationStrategyConfig greedy;
  greedy.min_profit_usd = 1e9;
  LiquidationStrategy s2{greedy};
  CHECK(liquidations(s2.process_event(NewBlock{view})).empty());
  // Gas at an absurd expected fee eats the profit (the fee cap alone does not: it is a guard).
  LiquidationStrategyConfig expensive;
  expensive.max_fee_per_gas_wei = u256{1} * kWad;  // 1 ETH per gas
  LiquidationStrategy s3{expensive};
  const FeeContext dear{u256{100'000'000'000'000ULL}, 0};  // 100k gwei base fee
  MarketView costly = view;
  costly.fees = &dear;
  CHECK(liquidations(s3.process_event(NewBlock{costly})).empty());
  CHECK(liquidations(s3.process_event(NewBlock{view})).size() == 1);
}
