// KeeperLiquidator's flash mode against the real Aave V3 Pool and Uniswap V3 on a devnet: a wallet
// holding only ETH borrows the debt, liquidates, sells the collateral, repays and keeps the rest.
#include <catch2/catch.hpp>

#include <algorithm>
#include <iostream>

#include <nlohmann/json.hpp>

#include "chain/abi/revert.hpp"
#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "keeper/devnet/dev_chain.hpp"
#include "keeper/devnet/uniswap_pool_math.hpp"
#include "keeper/liquidator/liquidator_calls.hpp"
#include "keeper/liquidator/liquidator_deploy.hpp"
#include "keeper/liquidator/swap_path.hpp"
#include "tests/liquidator/liquidator_devnet.hpp"
#include "tests/support/run_command.hpp"

using namespace chain;
using keeper::liquidator::flash_liquidate_calldata;
using keeper::liquidator::FlashLiquidateArgs;
using keeper::liquidator::SwapHop;
using keeper::testing::keeper_command;
using keeper::testing::LiquidatorDevnet;
using keeper::testing::logs_of;
using keeper::testing::run_command;

namespace {

const std::string kFlashLiquidated =
    "FlashLiquidated(address indexed user,address indexed collateral,address indexed debt,uint256 "
    "debtRepaid,uint256 collateralSold,uint256 debtBought,uint256 premium,uint256 profit)";
const std::string kLiquidationCall =
    "LiquidationCall(address indexed collateralAsset,address indexed debtAsset,address indexed "
    "user,uint256 debtToCover,uint256 liquidatedCollateralAmount,address liquidator,bool "
    "receiveAToken)";

// A fresh owner that holds nothing but ETH, and a KeeperLiquidator of its own, after a WETH crash
// that the devnet's pools followed.
struct FlashFixture {
  LiquidatorDevnet net;
  Address owner;
  Address contract;

  explicit FlashFixture(const std::string& name)
      : net{name, 80}, owner{Address::from_word(keccak256("keeper-flash-test-owner:" + name))} {
    const auto& d = net.deployment();
    REQUIRE(d.uniswap.has_value());
    REQUIRE(net.rpc()
                .call("anvil_setBalance",
                      nlohmann::json::array({owner.lower_hex(), "0x8ac7230489e80000"}))  // 10 ETH
                .has_value());
    keeper::devnet::DevChain dev{net.rpc()};
    contract = keeper::liquidator::deploy_unlocked(dev, d.admin, d.pool, owner).value();
    for (const auto& a : d.assets) REQUIRE(net.balance_of(a.token, owner) == 0);
    const auto crash = run_command(keeper_command("devnet price WETH -25%" + net.dir_arg()));
    INFO(crash.output);
    REQUIRE(crash.exit_code == 0);
  }

  // The flash call for half of `user`'s debt, selling WETH along `hops`.
  FlashLiquidateArgs args_for(const keeper::testing::Candidate& c,
                              const std::vector<SwapHop>& hops) {
    const auto& d = net.deployment();
    FlashLiquidateArgs a;
    a.collateral = d.asset("WETH")->token;
    a.debt = c.debt->token;
    a.user = c.user;
    a.debt_to_cover = net.balance_of(c.debt->variable_debt_token, c.user) / 2;
    a.variable_debt_token = c.debt->variable_debt_token;
    a.min_scaled_debt = net.view(c.debt->variable_debt_token, "scaledBalanceOf(address)(uint256)",
                                 {abi::Value{c.user}})[0]
                            .as_uint();
    a.router = d.uniswap->router;
    a.path = keeper::liquidator::encode_swap_path(a.collateral, hops).value();
    a.amount_out_minimum = 1;
    return a;
  }

  // eth_call from `from`: the revert, or nullopt when the call would succeed.
  std::optional<Bytes> simulate_revert(const FlashLiquidateArgs& a, const Address& from) {
    const auto out = net.rpc().eth_call(
        {from, contract, flash_liquidate_calldata(a).value(), std::nullopt, std::nullopt},
        "latest");
    if (out) return std::nullopt;
    INFO(out.error().to_string());
    REQUIRE(out.error().revert_data.has_value());
    return *out.error().revert_data;
  }

  double weth_price_in(const keeper::devnet::DeployedPool& pool) {
    const auto& d = net.deployment();
    const auto sqrt_price =
        net.view(pool.address, "slot0()(uint160,int24,uint16,uint16,uint16,uint8,bool)", {})[0]
            .as_uint();
    const double price = keeper::devnet::price_of_token0(
        sqrt_price, d.asset(pool.token0)->spec.decimals, d.asset(pool.token1)->spec.decimals);
    return pool.token0 == "WETH" ? price : 1.0 / price;
  }
};

Bytes custom_error(const std::string& signature, const std::vector<u256>& words) {
  const auto selector = abi::selector(signature);
  Bytes out(selector.begin(), selector.end());
  for (const auto& w : words) append(out, to_be32(w));
  return out;
}

}  // namespace

TEST_CASE("a wallet holding only ETH liquidates with a flash loan and keeps exactly the profit",
          "[liquidator][devnet][flash]") {
  FlashFixture f{"flash"};
  const auto& d = f.net.deployment();
  const auto* weth = d.asset("WETH");
  const auto* usdc = d.asset("USDC");
  const auto* dai = d.asset("DAI");
  const auto* weth_usdc = d.uniswap->pool("WETH", "USDC");
  const u256 premium_bps =
      f.net.view(d.pool, "FLASHLOAN_PREMIUM_TOTAL()(uint128)", {})[0].as_uint();
  CHECK(premium_bps == 5);

  struct Route {
    const char* name;
    std::string debt;
    std::vector<SwapHop> hops;
  };
  const std::vector<Route> routes{
      {"USDC debt: WETH -> USDC (0.05%)", "USDC", {{500, usdc->token}}},
      {"DAI debt: WETH -> USDC (0.05%) -> DAI (0.01%)",
       "DAI",
       {{500, usdc->token}, {100, dai->token}}},
  };
  std::vector<Address> taken;
  for (const auto& route : routes) {
    CAPTURE(route.name);
    const auto target = keeper::testing::pick(f.net, true, taken, route.debt);
    REQUIRE(target.has_value());
    taken.push_back(target->user);
    const auto* debt = target->debt;
    auto args = f.args_for(*target, route.hops);
    REQUIRE(args.debt_to_cover > 0);

    // keeper's simulation: with an unreachable minimum the revert reports the profit to expect.
    args.min_profit = kU256Max;
    const auto too_greedy = f.simulate_revert(args, f.owner);
    REQUIRE(too_greedy.has_value());
    const auto profit_selector = abi::selector("InsufficientProfit(uint256,uint256)");
    REQUIRE(too_greedy->size() == 68);
    REQUIRE(std::equal(profit_selector.begin(), profit_selector.end(), too_greedy->begin()));
    const u256 predicted = from_be(BytesView{*too_greedy}.subspan(4, 32)).value();
    CHECK(predicted > 0);
    // eth_estimateGas refuses it with the same reason.
    const auto estimate = f.net.rpc().estimate_gas(
        {f.owner, f.contract, flash_liquidate_calldata(args).value(), std::nullopt, std::nullopt});
    REQUIRE_FALSE(estimate.has_value());
    CHECK(estimate.error().revert_data == too_greedy);

    // A swap minimum above what the pool gives reverts with the router's reason.
    args.min_profit = 0;
    args.amount_out_minimum = kU256Max;
    const auto short_swap = f.simulate_revert(args, f.owner);
    REQUIRE(short_swap.has_value());
    CHECK(abi::decode_revert(*short_swap).message == "Too little received");

    // One wei more profit than the chain allows: the transaction itself reverts, nothing moves.
    args.amount_out_minimum = 1;
    args.min_profit = predicted + 1;
    const u256 scaled_before = args.min_scaled_debt;
    const auto refused = f.net.send_as(f.owner, f.contract, flash_liquidate_calldata(args).value());
    CHECK_FALSE(refused.success);
    CHECK(f.net.balance_of(debt->token, f.owner) == 0);
    CHECK(f.net
              .view(debt->variable_debt_token, "scaledBalanceOf(address)(uint256)",
                    {abi::Value{target->user}})[0]
              .as_uint() == scaled_before);

    // Exactly the predicted profit: it goes through, and the owner holds exactly that.
    args.min_profit = predicted;
    const double weth_price_before = f.weth_price_in(*weth_usdc);
    const auto done = f.net.send_as(f.owner, f.contract, flash_liquidate_calldata(args).value());
    REQUIRE(done.success);
    const auto flash = logs_of(done, f.contract, kFlashLiquidated);
    REQUIRE(flash.size() == 1);
    const u256 repaid = flash[0][3].value.as_uint();
    const u256 sold = flash[0][4].value.as_uint();
    const u256 bought = flash[0][5].value.as_uint();
    const u256 premium = flash[0][6].value.as_uint();
    const u256 profit = flash[0][7].value.as_uint();
    CHECK(flash[0][0].value.as_address() == target->user);
    CHECK(profit == predicted);
    CHECK(f.net.balance_of(debt->token, f.owner) == profit);
    CHECK(bought == repaid + premium + profit);
    // Aave's percentMul: half up, in basis points of the borrowed amount.
    CHECK(premium == (args.debt_to_cover * premium_bps + 5000) / 10000);
    const auto pool_logs = logs_of(done, d.pool, kLiquidationCall);
    REQUIRE(pool_logs.size() == 1);
    CHECK(pool_logs[0][3].value.as_uint() == repaid);
    CHECK(pool_logs[0][4].value.as_uint() == sold);
    CHECK(pool_logs[0][5].value.as_address() == f.contract);
    CHECK_FALSE(pool_logs[0][6].value.as_bool());
    // A liquidation bonus of 5% less the protocol's tenth of it, fees and impact: a few percent.
    CHECK(profit * 100 < repaid * 5);
    CHECK(profit * 100 > repaid * 3);
    // The sale moved the WETH/USDC pool down, and nothing is left behind.
    const double weth_price_after = f.weth_price_in(*weth_usdc);
    CHECK(weth_price_after < weth_price_before);
    for (const auto* token : {weth, usdc, dai})
      CHECK(f.net.balance_of(token->token, f.contract) == 0);
    CHECK(f.net.allowance(weth->token, f.contract, d.uniswap->router) == 0);
    CHECK(f.net.allowance(debt->token, f.contract, d.pool) == 0);
    std::cout << "KeeperLiquidator flash (" << route.name << "): gasUsed = " << done.gas_used
              << ", repaid " << to_dec(repaid) << ", premium " << to_dec(premium) << ", profit "
              << to_dec(profit) << " (" << debt->spec.symbol << " units), WETH/USDC pool "
              << weth_price_before << " -> " << weth_price_after << '\n';

    // The account is no longer what keeper saw: the same call stops cheaply, without reverting.
    const auto again = f.net.send_as(f.owner, f.contract, flash_liquidate_calldata(args).value());
    CHECK(again.success);
    CHECK(again.gas_used <= 40'000);
    CHECK(logs_of(again, f.contract, "Skipped(address indexed user)").size() == 1);
    CHECK(logs_of(again, d.pool, kLiquidationCall).empty());
    CHECK(f.net.balance_of(debt->token, f.owner) == profit);
    std::cout << "KeeperLiquidator flash: early exit gasUsed = " << again.gas_used << '\n';
  }
}

TEST_CASE("only the owner starts a flash liquidation, and only through its own loan",
          "[liquidator][devnet][flash]") {
  FlashFixture f{"flash-guard"};
  const auto& d = f.net.deployment();
  const auto target = keeper::testing::pick(f.net, true, {}, "USDC");
  REQUIRE(target.has_value());
  auto args = f.args_for(*target, {{500, d.asset("USDC")->token}});

  // Anyone but the owner: NotOwner(), on chain too.
  CHECK(f.simulate_revert(args, d.admin) == custom_error("NotOwner()", {}));
  CHECK_FALSE(f.net.send_as(d.admin, f.contract, flash_liquidate_calldata(args).value()).success);

  // Anyone may make the Pool call a receiver with any params: the contract refuses a loan it did
  // not take, and a direct call of its callback.
  const Bytes params = flash_liquidate_calldata(args).value();
  const auto foreign_loan =
      f.net.send_as(d.admin, d.pool, "flashLoanSimple(address,address,uint256,bytes,uint16)",
                    {abi::Value{f.contract}, abi::Value{args.debt}, abi::Value{args.debt_to_cover},
                     abi::Value{params}, abi::Value{std::uint64_t{0}}});
  CHECK_FALSE(foreign_loan.success);
  const auto direct =
      f.net.send_as(d.admin, f.contract, "executeOperation(address,uint256,uint256,address,bytes)",
                    {abi::Value{args.debt}, abi::Value{args.debt_to_cover}, abi::Value{u256{0}},
                     abi::Value{f.contract}, abi::Value{params}});
  CHECK_FALSE(direct.success);
  const auto unexpected = f.net.rpc().eth_call(
      {d.admin, f.contract,
       abi::encode_call(
           "executeOperation(address,uint256,uint256,address,bytes)",
           abi::Values{abi::Value{args.debt}, abi::Value{args.debt_to_cover}, abi::Value{u256{0}},
                       abi::Value{f.contract}, abi::Value{params}})
           .value(),
       std::nullopt, std::nullopt},
      "latest");
  REQUIRE_FALSE(unexpected.has_value());
  CHECK(unexpected.error().revert_data == custom_error("UnexpectedFlashLoan()", {}));

  // A path that does not run from the collateral to the debt is refused before any loan.
  struct BadPath {
    const char* name;
    std::vector<SwapHop> hops;
  };
  const std::vector<BadPath> bad_paths{
      {"ends in DAI, the debt is USDC", {{100, d.asset("DAI")->token}}},
      {"ends in WBTC", {{500, d.asset("USDC")->token}, {3000, d.asset("WBTC")->token}}},
  };
  for (const auto& bad : bad_paths) {
    CAPTURE(bad.name);
    auto wrong = args;
    wrong.path = keeper::liquidator::encode_swap_path(wrong.collateral, bad.hops).value();
    CHECK(f.simulate_revert(wrong, f.owner) == custom_error("BadSwapPath()", {}));
  }
  auto truncated = args;
  truncated.path.pop_back();
  CHECK(f.simulate_revert(truncated, f.owner) == custom_error("BadSwapPath()", {}));

  // A healthy account: the Pool refuses inside the loan ("45", health factor not below 1) and the
  // whole transaction reverts, so the loan costs nothing; keeper simulates before it sends.
  const auto healthy = keeper::testing::pick(f.net, false, {}, "USDC");
  REQUIRE(healthy.has_value());
  auto refused = f.args_for(*healthy, {{500, d.asset("USDC")->token}});
  const auto pool_says = f.simulate_revert(refused, f.owner);
  REQUIRE(pool_says.has_value());
  CHECK(abi::decode_revert(*pool_says).message == "45");

  // None of it moved anything: the owner's own call still liquidates.
  const auto done = f.net.send_as(f.owner, f.contract, flash_liquidate_calldata(args).value());
  CHECK(done.success);
  CHECK(logs_of(done, f.contract, kFlashLiquidated).size() == 1);
}
