// KeeperLiquidator.liquidateMorpho against the real Morpho Blue 1.0 and Uniswap V3 on a devnet: a
// wallet holding only ETH liquidates a Morpho position, the seized WETH sold inside Morpho's
// onMorphoLiquidate callback, the repayment approved exactly, the rest kept. The amounts are
// those keeper's Morpho adapter computes.
#include <catch2/catch.hpp>

#include <iostream>

#include <nlohmann/json.hpp>

#include "chain/abi/revert.hpp"
#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "keeper/devnet/dev_chain.hpp"
#include "keeper/liquidator/liquidator_deploy.hpp"
#include "keeper/liquidator/swap_path.hpp"
#include "protocols/morpho_blue/liquidator_call.hpp"
#include "protocols/morpho_blue/morpho_blue_protocol.hpp"
#include "protocols/morpho_blue/morpho_book.hpp"
#include "tests/liquidator/liquidator_devnet.hpp"
#include "tests/support/run_command.hpp"

using namespace chain;
using keeper::liquidator::SwapHop;
using keeper::testing::keeper_command;
using keeper::testing::LiquidatorDevnet;
using keeper::testing::logs_of;
using keeper::testing::run_command;
namespace mb = protocols::morpho_blue;

namespace {

const std::string kMorphoLiquidated =
    "MorphoLiquidated(address indexed borrower,bytes32 indexed marketId,address indexed "
    "loanToken,uint256 repaid,uint256 seized,uint256 bought,uint256 profit)";
const std::string kLiquidate =
    "Liquidate(bytes32 indexed id,address indexed caller,address indexed borrower,uint256 "
    "repaidAssets,uint256 repaidShares,uint256 seizedAssets,uint256 badDebtAssets,uint256 "
    "badDebtShares)";

Bytes custom_error(const std::string& signature) {
  const auto selector = abi::selector(signature);
  return Bytes(selector.begin(), selector.end());
}

// A fresh owner holding only ETH and a KeeperLiquidator of its own, after a WETH crash; keeper's
// Morpho book of the devnet's markets, read at the crash.
struct MorphoFixture {
  LiquidatorDevnet net;
  Address owner;
  Address contract;
  std::unique_ptr<mb::MorphoBook> book;
  std::unique_ptr<mb::MorphoBlueProtocol> protocol;

  explicit MorphoFixture(const std::string& name)
      : net{name, 40}, owner{Address::from_word(keccak256("keeper-morpho-test-owner:" + name))} {
    const auto& d = net.deployment();
    REQUIRE(d.uniswap.has_value());
    REQUIRE(d.morpho.has_value());
    REQUIRE(net.rpc()
                .call("anvil_setBalance",
                      nlohmann::json::array({owner.lower_hex(), "0x8ac7230489e80000"}))  // 10 ETH
                .has_value());
    keeper::devnet::DevChain dev{net.rpc()};
    contract = keeper::liquidator::deploy_unlocked(dev, d.admin, d.pool, owner).value();
    const auto crash = run_command(keeper_command("devnet price WETH -25%" + net.dir_arg()));
    INFO(crash.output);
    REQUIRE(crash.exit_code == 0);
    book = std::make_unique<mb::MorphoBook>(
        net.rpc(), d.morpho->morpho, std::vector<mb::MarketId>{}, d.morpho->deployed_at_block);
    const auto head = net.rpc().block("latest").value();
    REQUIRE(book->load(head.number, head.timestamp).has_value());
    protocol = std::make_unique<mb::MorphoBlueProtocol>(*book);
  }

  // The best liquidation of every liquidatable WETH-collateral position, as keeper computes it
  // at the next block's timestamp (one second after the head: the devnet mines on demand).
  std::vector<strategy::Opportunity> weth_opportunities() {
    const auto head = net.rpc().block("latest").value();
    REQUIRE(protocol->advance(head).has_value());
    predicted_at = head.timestamp + 1;
    std::vector<Address> accounts;
    protocol->for_each_account([&](const Address& a) { accounts.push_back(a); });
    std::vector<strategy::Opportunity> out;
    for (const auto& a : protocol->assess(accounts, head.timestamp + 1, {}, {}))
      if (a.best && a.best->collateral_asset == net.deployment().asset("WETH")->token)
        out.push_back(*a.best);
    return out;
  }

  // The next block carries the timestamp the last weth_opportunities() computed at. Interest
  // accrues every second, and the rounding of the repaid assets (shares rounded up, then assets
  // up from them) can move by a unit with it: on a loaded machine the devnet's next block may
  // come seconds later, and the amounts are compared to the wei.
  void mine_next_at_prediction() {
    REQUIRE(net.rpc()
                .call("evm_setNextBlockTimestamp", nlohmann::json::array({predicted_at}))
                .has_value());
  }
  std::uint64_t predicted_at = 0;

  mb::ContractLiquidation call_for(const strategy::Opportunity& o, bool swap) {
    const auto& d = net.deployment();
    mb::ContractLiquidation c;
    c.morpho = d.morpho->morpho;
    for (const auto& m : book->markets()) {
      if (m.state.params.collateral_token != o.collateral_asset ||
          m.state.params.loan_token != o.debt_asset)
        continue;
      const auto p = m.state.positions.find(o.account);
      if (p == m.state.positions.end() || p->second.borrow_shares == 0) continue;
      c.params = m.state.params;
      c.min_borrow_shares = p->second.borrow_shares;
    }
    REQUIRE(c.min_borrow_shares > 0);
    c.borrower = o.account;
    c.seized_assets = o.collateral_seized;
    if (swap) {
      c.router = d.uniswap->router;
      const std::vector<SwapHop> hops{{500, o.debt_asset}};
      c.path = keeper::liquidator::encode_swap_path(o.collateral_asset, hops).value();
      c.amount_out_minimum = 1;
    }
    return c;
  }

  // eth_call from `from`: the revert data, or nullopt when the call would succeed. Run at the
  // timestamp the last weth_opportunities() computed at (a block override: an eth_call at
  // "latest" runs at the head's own timestamp, a second before any block that can carry it).
  std::optional<Bytes> simulate_revert(const mb::ContractLiquidation& c, const Address& from) {
    const nlohmann::json tx{{"from", from.lower_hex()},
                            {"to", contract.lower_hex()},
                            {"data", hex_encode(mb::liquidate_morpho_calldata(c))}};
    nlohmann::json params = nlohmann::json::array({tx, "latest"});
    if (predicted_at != 0) {
      params.push_back(nlohmann::json::object());
      params.push_back({{"time", to_hex_quantity(u256{predicted_at})}});
    }
    const auto out = net.rpc().call("eth_call", params);
    if (out) return std::nullopt;
    INFO(out.error().to_string());
    REQUIRE(out.error().revert_data.has_value());
    return *out.error().revert_data;
  }
};

}  // namespace

TEST_CASE("a wallet holding only ETH liquidates on Morpho through the callback, as predicted",
          "[liquidator][devnet][morpho]") {
  MorphoFixture f{"morpho"};
  const auto& d = f.net.deployment();
  const auto* weth = d.asset("WETH");
  const auto* usdc = d.asset("USDC");
  const auto opportunities = f.weth_opportunities();
  REQUIRE(opportunities.size() >= 2);
  const auto& o = opportunities[0];
  auto call = f.call_for(o, true);

  // With an unreachable minimum the revert reports the profit to expect.
  call.min_profit = kU256Max;
  const auto greedy = f.simulate_revert(call, f.owner);
  REQUIRE(greedy.has_value());
  const auto selector = abi::selector("InsufficientProfit(uint256,uint256)");
  CAPTURE(hex_encode(*greedy));
  REQUIRE(greedy->size() == 68);
  REQUIRE(std::equal(selector.begin(), selector.end(), greedy->begin()));
  const u256 predicted = from_be(BytesView{*greedy}.subspan(4, 32)).value();
  CHECK(predicted > 0);

  // A swap minimum above what the pool gives: the router's reason, nothing moves.
  call.min_profit = 0;
  call.amount_out_minimum = kU256Max;
  CHECK(abi::decode_revert(f.simulate_revert(call, f.owner).value()).message ==
        "Too little received");
  call.amount_out_minimum = 1;

  call.min_profit = predicted;
  f.mine_next_at_prediction();
  const auto done = f.net.send_as(f.owner, f.contract, mb::liquidate_morpho_calldata(call));
  REQUIRE(done.success);
  const auto ours = logs_of(done, f.contract, kMorphoLiquidated);
  REQUIRE(ours.size() == 1);
  const auto morpho = logs_of(done, d.morpho->morpho, kLiquidate);
  REQUIRE(morpho.size() == 1);
  const u256 repaid = ours[0][3].value.as_uint();
  const u256 seized = ours[0][4].value.as_uint();
  const u256 bought = ours[0][5].value.as_uint();
  const u256 profit = ours[0][6].value.as_uint();
  CHECK(ours[0][0].value.as_address() == o.account);
  CHECK(ours[0][2].value.as_address() == usdc->token);
  // Morpho's own record: keeper's contract liquidated exactly what keeper's adapter computed.
  CHECK(morpho[0][1].value.as_address() == f.contract);
  CHECK(morpho[0][2].value.as_address() == o.account);
  CHECK(morpho[0][3].value.as_uint() == repaid);
  CHECK(morpho[0][5].value.as_uint() == seized);
  CHECK(seized == o.collateral_seized);
  CHECK(repaid == o.debt_repaid);
  CHECK(profit == predicted);
  CHECK(bought == repaid + profit);
  CHECK(f.net.balance_of(usdc->token, f.owner) == profit);
  // Nothing left behind: no tokens, no allowances.
  for (const auto* token : {weth, usdc}) CHECK(f.net.balance_of(token->token, f.contract) == 0);
  CHECK(f.net.allowance(weth->token, f.contract, d.uniswap->router) == 0);
  CHECK(f.net.allowance(usdc->token, f.contract, d.morpho->morpho) == 0);
  std::cout << "KeeperLiquidator Morpho callback: gasUsed = " << done.gas_used << ", seized "
            << to_dec(seized) << " WETH units, repaid " << to_dec(repaid) << ", profit "
            << to_dec(profit) << " USDC units\n";

  // The borrower's shares shrank: the same call stops cheaply, without reverting.
  const auto again = f.net.send_as(f.owner, f.contract, mb::liquidate_morpho_calldata(call));
  CHECK(again.success);
  CHECK(again.gas_used <= 50'000);
  CHECK(logs_of(again, f.contract, "Skipped(address indexed user)").size() == 1);
  CHECK(logs_of(again, d.morpho->morpho, kLiquidate).empty());
  std::cout << "KeeperLiquidator Morpho: early exit gasUsed = " << again.gas_used << '\n';

  // Without a swap: the owner pays the loan token and receives the collateral. Funded with twice
  // what the next liquidation repays, then that liquidation computed again at the head after the
  // funding (a copy: the vector weth_opportunities returns is a temporary).
  const u256 usdc_needed = f.weth_opportunities().at(0).debt_repaid * 2;
  REQUIRE(f.net
              .send_as(d.liquidator, usdc->token, "transfer(address,uint256)",
                       {abi::Value{f.owner}, abi::Value{usdc_needed}})
              .success);
  REQUIRE(f.net
              .send_as(f.owner, usdc->token, "approve(address,uint256)",
                       {abi::Value{f.contract}, abi::Value{kU256Max}})
              .success);
  const auto second = f.weth_opportunities().at(0);
  const auto direct = f.call_for(second, false);
  const u256 usdc_before = f.net.balance_of(usdc->token, f.owner);
  f.mine_next_at_prediction();
  const auto paid = f.net.send_as(f.owner, f.contract, mb::liquidate_morpho_calldata(direct));
  REQUIRE(paid.success);
  const auto plain = logs_of(paid, f.contract, kMorphoLiquidated);
  REQUIRE(plain.size() == 1);
  CHECK(plain[0][3].value.as_uint() == second.debt_repaid);
  CHECK(plain[0][4].value.as_uint() == second.collateral_seized);
  CHECK(plain[0][5].value.as_uint() == 0);
  CHECK(f.net.balance_of(weth->token, f.owner) == second.collateral_seized);
  CHECK(usdc_before - f.net.balance_of(usdc->token, f.owner) == second.debt_repaid);
  for (const auto* token : {weth, usdc}) CHECK(f.net.balance_of(token->token, f.contract) == 0);
  CHECK(f.net.allowance(usdc->token, f.contract, d.morpho->morpho) == 0);
}

TEST_CASE("only the owner starts a Morpho liquidation, and only Morpho calls back during it",
          "[liquidator][devnet][morpho]") {
  MorphoFixture f{"morpho-guard"};
  const auto& d = f.net.deployment();
  const auto opportunities = f.weth_opportunities();
  REQUIRE_FALSE(opportunities.empty());
  const auto call = f.call_for(opportunities[0], true);

  // Anyone but the owner: NotOwner(), on chain too.
  CHECK(f.simulate_revert(call, d.admin) == custom_error("NotOwner()"));
  CHECK_FALSE(f.net.send_as(d.admin, f.contract, mb::liquidate_morpho_calldata(call)).success);

  // The callback outside a liquidation the owner started: from anyone, and from Morpho's
  // address itself (impersonated), it is refused.
  const auto callback =
      abi::encode_call("onMorphoLiquidate(uint256,bytes)",
                       abi::Values{abi::Value{u256{1}}, abi::Value{Bytes{0x01, 0x02}}})
          .value();
  for (const auto& from : {d.admin, d.morpho->morpho}) {
    CAPTURE(from.checksummed());
    const auto out =
        f.net.rpc().eth_call({from, f.contract, callback, std::nullopt, std::nullopt}, "latest");
    REQUIRE_FALSE(out.has_value());
    CHECK(out.error().revert_data == custom_error("UnexpectedCallback()"));
  }

  // A path that does not run from the collateral to the loan token is refused.
  auto wrong = call;
  const std::vector<SwapHop> to_dai{{100, d.asset("DAI")->token}};
  wrong.path = keeper::liquidator::encode_swap_path(d.asset("WETH")->token, to_dai).value();
  CHECK(f.simulate_revert(wrong, f.owner) == custom_error("BadSwapPath()"));

  // A healthy position: the contract reads Morpho and the oracle and stops without reverting.
  const mb::BookMarket* weth_market = nullptr;
  for (const auto& m : f.book->markets())
    if (m.state.params.collateral_token == d.asset("WETH")->token) weth_market = &m;
  REQUIRE(weth_market != nullptr);
  const auto head = f.net.rpc().block("latest").value();
  std::optional<Address> healthy;
  for (const auto& [who, position] : weth_market->state.positions)
    if (position.borrow_shares != 0 &&
        f.protocol->health_factor(who, head.timestamp) > strategy::kHealthOne / 100 * 105)
      healthy = who;
  REQUIRE(healthy.has_value());
  auto safe = call;
  safe.borrower = *healthy;
  safe.min_borrow_shares = 0;
  safe.seized_assets = 1;
  const auto skipped = f.net.send_as(f.owner, f.contract, mb::liquidate_morpho_calldata(safe));
  CHECK(skipped.success);
  // The healthy check cannot be cheaper than the market's oracle: its price() sent on its own (the
  // devnet's reads two Chainlink-shaped feeds behind proxies, four cold accounts and ten cold
  // slots, ~57k with the transaction's 21k). The skip adds to it at most: its calldata (~5k), the
  // oracle's cold access (2.6k), one Morpho extSloads of two slots (~8.4k) and the Skipped event
  // with the contract's own work (~6k). Morpho's position() and market() getters instead of
  // extSloads read three slots more, and the skip measured 84.6k, past this bound.
  const auto oracle_alone = f.net.send_as(f.owner, weth_market->state.params.oracle, "price()", {});
  REQUIRE(oracle_alone.success);
  CHECK(skipped.gas_used <= oracle_alone.gas_used + 2'600 + 22'000);
  std::cout << "KeeperLiquidator Morpho: healthy skip gasUsed = " << skipped.gas_used
            << " (the oracle's price() alone: " << oracle_alone.gas_used << ")\n";
  CHECK(logs_of(skipped, f.contract, "Skipped(address indexed user)").size() == 1);
  CHECK(logs_of(skipped, d.morpho->morpho, kLiquidate).empty());

  // None of it moved anything: the owner's own call still liquidates.
  const auto done = f.net.send_as(f.owner, f.contract, mb::liquidate_morpho_calldata(call));
  CHECK(done.success);
  CHECK(logs_of(done, f.contract, kMorphoLiquidated).size() == 1);
}
