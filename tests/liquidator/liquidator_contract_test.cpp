// KeeperLiquidator against the real Aave V3 Pool on a devnet: the contract the devnet deployed,
// owned by the devnet's liquidator account, which has approved it for every asset.
#include <catch2/catch.hpp>

#include <algorithm>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "keeper/liquidator/liquidator_calls.hpp"
#include "tests/liquidator/liquidator_devnet.hpp"
#include "tests/support/run_command.hpp"

using namespace chain;
using keeper::liquidator::liquidate_calldata;
using keeper::liquidator::LiquidateArgs;
using keeper::testing::Candidate;
using keeper::testing::keeper_command;
using keeper::testing::LiquidatorDevnet;
using keeper::testing::logs_of;
using keeper::testing::pick;
using keeper::testing::run_command;

namespace {

const std::string kLiquidationCall =
    "LiquidationCall(address indexed collateralAsset,address indexed debtAsset,address indexed "
    "user,uint256 debtToCover,uint256 liquidatedCollateralAmount,address liquidator,bool "
    "receiveAToken)";
const std::string kLiquidated =
    "Liquidated(address indexed user,address indexed collateral,address indexed debt,uint256 "
    "debtRepaid,uint256 collateralReceived)";

}  // namespace

TEST_CASE(
    "KeeperLiquidator liquidates for its owner, skips stale accounts cheaply, and only obeys "
    "its owner",
    "[liquidator][devnet]") {
  LiquidatorDevnet net{"contract", 80};
  const auto& d = net.deployment();
  const Address owner = d.liquidator;
  const Address contract = d.liquidator_contract;
  const auto* weth = d.asset("WETH");
  CHECK(net.view(contract, "owner()(address)", {})[0].as_address() == owner);
  CHECK(net.view(contract, "pool()(address)", {})[0].as_address() == d.pool);

  REQUIRE(run_command(keeper_command("devnet price WETH -25%" + net.dir_arg())).exit_code == 0);
  const auto target = pick(net, true);
  REQUIRE(target.has_value());
  const auto& debt = *target->debt;
  const auto scaled = [&] {
    return net
        .view(debt.variable_debt_token, "scaledBalanceOf(address)(uint256)",
              {abi::Value{target->user}})[0]
        .as_uint();
  };
  const u256 scaled_before = scaled();
  LiquidateArgs args;
  args.collateral = weth->token;
  args.debt = debt.token;
  args.user = target->user;
  args.debt_to_cover = net.balance_of(debt.variable_debt_token, target->user) / 2;
  args.variable_debt_token = debt.variable_debt_token;
  args.min_scaled_debt = scaled_before;
  REQUIRE(args.debt_to_cover > 0);
  REQUIRE(net.balance_of(debt.token, contract) == 0);  // so the contract pulls from the owner

  // (a) a liquidation through the contract, funded by the owner
  const u256 owner_weth = net.balance_of(weth->token, owner);
  const u256 owner_debt = net.balance_of(debt.token, owner);
  const auto first = net.send_as(owner, contract, liquidate_calldata(args).value());
  REQUIRE(first.success);
  const auto calls = logs_of(first, d.pool, kLiquidationCall);
  REQUIRE(calls.size() == 1);
  CHECK(calls[0][2].value.as_address() == target->user);
  CHECK(calls[0][5].value.as_address() == contract);  // the contract is the liquidator
  const u256 repaid = calls[0][3].value.as_uint();
  const u256 seized = calls[0][4].value.as_uint();
  CHECK(repaid > 0);
  CHECK(repaid <= args.debt_to_cover);
  CHECK(seized > 0);
  CHECK(net.balance_of(weth->token, owner) - owner_weth == seized);
  CHECK(owner_debt - net.balance_of(debt.token, owner) == repaid);
  CHECK(net.balance_of(weth->token, contract) == 0);
  CHECK(net.balance_of(debt.token, contract) == 0);
  CHECK(net.allowance(debt.token, contract, d.pool) == 0);
  const auto liquidated = logs_of(first, contract, kLiquidated);
  REQUIRE(liquidated.size() == 1);
  CHECK(liquidated[0][0].value.as_address() == target->user);
  CHECK(liquidated[0][3].value.as_uint() == repaid);
  CHECK(liquidated[0][4].value.as_uint() == seized);
  CHECK(scaled() < scaled_before);
  std::cout << "KeeperLiquidator: liquidation gasUsed = " << first.gas_used << '\n';

  // (b) the same call again: the debt is below what keeper saw, so it stops, cheaply
  const auto again = net.send_as(owner, contract, liquidate_calldata(args).value());
  CHECK(again.success);
  CHECK(again.gas_used <= 40'000);
  CHECK(logs_of(again, d.pool, kLiquidationCall).empty());
  CHECK(logs_of(again, contract, "Skipped(address indexed user)").size() == 1);
  CHECK(net.balance_of(debt.token, owner) == owner_debt - repaid);
  std::cout << "KeeperLiquidator: stale-debt early exit gasUsed = " << again.gas_used << '\n';

  // The Pool refusing (a healthy account) costs the owner nothing but gas, and does not revert.
  const auto healthy = pick(net, false);
  REQUIRE(healthy.has_value());
  LiquidateArgs refused = args;
  refused.user = healthy->user;
  refused.debt = healthy->debt->token;
  refused.variable_debt_token = healthy->debt->variable_debt_token;
  refused.debt_to_cover = 1000;
  refused.min_scaled_debt = 0;
  const u256 owner_refused_debt = net.balance_of(refused.debt, owner);
  const auto no = net.send_as(owner, contract, liquidate_calldata(refused).value());
  CHECK(no.success);
  CHECK(logs_of(no, d.pool, kLiquidationCall).empty());
  CHECK(logs_of(no, contract, "LiquidationRefused(address indexed user)").size() == 1);
  CHECK(net.balance_of(refused.debt, owner) == owner_refused_debt);
  CHECK(net.balance_of(refused.debt, contract) == 0);
  CHECK(net.allowance(refused.debt, contract, d.pool) == 0);

  // (c) anyone else is refused with NotOwner()
  const auto intruder = net.send_as(d.admin, contract, liquidate_calldata(args).value());
  CHECK_FALSE(intruder.success);
  const auto call = net.rpc().eth_call(
      {d.admin, contract, liquidate_calldata(args).value(), std::nullopt, std::nullopt}, "latest");
  REQUIRE_FALSE(call.has_value());
  REQUIRE(call.error().revert_data.has_value());
  const auto not_owner = abi::selector("NotOwner()");
  CHECK(*call.error().revert_data == Bytes(not_owner.begin(), not_owner.end()));
}

TEST_CASE("KeeperLiquidator spends its own inventory first, and can seize aTokens",
          "[liquidator][devnet]") {
  LiquidatorDevnet net{"inventory", 80};
  const auto& d = net.deployment();
  const Address owner = d.liquidator;
  const Address contract = d.liquidator_contract;
  const auto* weth = d.asset("WETH");
  REQUIRE(run_command(keeper_command("devnet price WETH -25%" + net.dir_arg())).exit_code == 0);
  const auto first = pick(net, true);
  REQUIRE(first.has_value());
  const auto second = pick(net, true, {first->user});
  REQUIRE(second.has_value());
  const auto args_for = [&](const Candidate& c) {
    LiquidateArgs a;
    a.collateral = weth->token;
    a.debt = c.debt->token;
    a.user = c.user;
    a.debt_to_cover = net.balance_of(c.debt->variable_debt_token, c.user) / 2;
    a.variable_debt_token = c.debt->variable_debt_token;
    return a;
  };

  // The contract holds the debt asset: the owner's balance is not touched.
  const auto own = args_for(*first);
  REQUIRE(net.send_as(owner, own.debt, "transfer(address,uint256)",
                      {abi::Value{contract}, abi::Value{own.debt_to_cover}})
              .success);
  const u256 owner_debt = net.balance_of(own.debt, owner);
  const u256 owner_weth = net.balance_of(weth->token, owner);
  const auto paid_by_contract = net.send_as(owner, contract, liquidate_calldata(own).value());
  REQUIRE(paid_by_contract.success);
  const auto calls = logs_of(paid_by_contract, d.pool, kLiquidationCall);
  REQUIRE(calls.size() == 1);
  const u256 repaid = calls[0][3].value.as_uint();
  CHECK(net.balance_of(own.debt, owner) == owner_debt);
  CHECK(net.balance_of(own.debt, contract) == own.debt_to_cover - repaid);
  CHECK(net.balance_of(weth->token, owner) - owner_weth == calls[0][4].value.as_uint());
  CHECK(net.allowance(own.debt, contract, d.pool) == 0);

  // receiveAToken: the owner gets aWETH (found through the Pool's reserve data), nothing stays.
  auto atokens = args_for(*second);
  atokens.receive_a_token = true;
  const u256 contract_debt = net.balance_of(atokens.debt, contract);
  REQUIRE(contract_debt < atokens.debt_to_cover);  // pulled from the owner this time
  const u256 owner_a_weth = net.balance_of(weth->a_token, owner);
  const auto seized_a = net.send_as(owner, contract, liquidate_calldata(atokens).value());
  REQUIRE(seized_a.success);
  const auto a_calls = logs_of(seized_a, d.pool, kLiquidationCall);
  REQUIRE(a_calls.size() == 1);
  CHECK(a_calls[0][6].value.as_bool());
  const auto liquidated = logs_of(seized_a, contract, kLiquidated);
  REQUIRE(liquidated.size() == 1);
  const u256 received = liquidated[0][4].value.as_uint();
  // aToken balances are scaled by the liquidity index: a wei either way is rounding.
  const u256 seized = a_calls[0][4].value.as_uint();
  CHECK(received + 1 >= seized);
  CHECK(received <= seized + 1);
  const u256 owner_gain = net.balance_of(weth->a_token, owner) - owner_a_weth;
  CHECK(owner_gain + 1 >= received);
  CHECK(owner_gain <= received + 1);
  CHECK(net.balance_of(weth->a_token, contract) <= 1);
  CHECK(net.balance_of(atokens.debt, contract) == contract_debt);
}

TEST_CASE("KeeperLiquidator returns what it holds to its owner, and to nobody else",
          "[liquidator][devnet]") {
  LiquidatorDevnet net{"withdraw", 4};
  const auto& d = net.deployment();
  const Address owner = d.liquidator;
  const Address contract = d.liquidator_contract;
  const Address usdc = d.asset("USDC")->token;

  REQUIRE(net.send_as(owner, usdc, "transfer(address,uint256)",
                      {abi::Value{contract}, abi::Value{u256{1000}}})
              .success);
  const u256 owner_usdc = net.balance_of(usdc, owner);
  REQUIRE(net.send_as(owner, contract, "withdraw(address,uint256)",
                      {abi::Value{usdc}, abi::Value{u256{400}}})
              .success);
  CHECK(net.balance_of(usdc, contract) == 600);
  CHECK(net.balance_of(usdc, owner) == owner_usdc + 400);
  CHECK_FALSE(net.send_as(d.admin, contract, "sweep(address)", {abi::Value{usdc}}).success);
  REQUIRE(net.send_as(owner, contract, "sweep(address)", {abi::Value{usdc}}).success);
  CHECK(net.balance_of(usdc, contract) == 0);
  CHECK(net.balance_of(usdc, owner) == owner_usdc + 1000);

  // ETH: address(0)
  const u256 one_eth = u256{1'000'000'000'000'000'000ULL};
  REQUIRE(net.rpc()
              .call("anvil_setBalance",
                    nlohmann::json::array({contract.lower_hex(), to_hex_quantity(one_eth)}))
              .has_value());
  const u256 owner_eth = net.rpc().balance(owner, "latest").value();
  const auto swept = net.send_as(owner, contract, "sweep(address)", {abi::Value{Address{}}});
  REQUIRE(swept.success);
  CHECK(net.rpc().balance(contract, "latest").value() == 0);
  CHECK(net.rpc().balance(owner, "latest").value() ==
        owner_eth + one_eth - u256{swept.gas_used} * swept.effective_gas_price);
}
