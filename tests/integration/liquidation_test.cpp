#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/process/anvil.hpp"
#include "protocols/aave_v3/aave_sync.hpp"
#include "protocols/aave_v3/opportunity.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"
#include "tests/support/devnet_guard.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/unlocked_send.hpp"

using namespace chain;
namespace aave = protocols::aave_v3;
using keeper::testing::run_command;
namespace fs = std::filesystem;

namespace {

struct Chain {
  rpc::RpcClient& rpc;
  Address from;

  void send(const Address& to, const std::string& sig, const abi::Values& args) {
    const auto receipt = keeper::testing::send_unlocked(rpc, from, to, sig, args);
    REQUIRE(receipt.has_value());
    REQUIRE(receipt->success);
  }

  u256 balance_of(const Address& token, const Address& who) {
    const auto fn = abi::parse_function("balanceOf(address)(uint256)").value();
    const auto out =
        rpc.eth_call({std::nullopt, token, fn.encode_call(abi::Values{abi::Value{who}}).value(),
                      std::nullopt, std::nullopt},
                     "latest");
    REQUIRE(out.has_value());
    return fn.decode_output(*out).value()[0].as_uint();
  }
};

}  // namespace

TEST_CASE("the chosen liquidation is the best pair and amount, and pays exactly as predicted",
          "[liquidation][devnet]") {
  const fs::path dir =
      fs::temp_directory_path() / ("keeper-liq-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const keeper::testing::DevnetGuard guard{dir};
  const auto port = keeper::pick_free_port().value();
  REQUIRE(run_command(keeper::testing::keeper_command(
                          "devnet up --block-time 0 --borrowers 150 --seed 3 --port " +
                          std::to_string(port) + " --dir " + dir.string()))
              .exit_code == 0);
  const auto d = keeper::devnet::read_deployment(dir / "deployment.json").value();
  REQUIRE(
      run_command(keeper::testing::keeper_command("devnet price WETH -22% --dir " + dir.string()))
          .exit_code == 0);
  rpc::RpcClient rpc{rpc::RpcClientOptions::for_urls({d.http_url})};
  Chain chain{rpc, d.liquidator};

  // The liquidator holds every debt asset and has approved the Pool, before the market is read.
  const u256 plenty = u256{1} << 200;
  for (const auto& a : d.assets) {
    chain.send(a.token, "mint(uint256)", {abi::Value{plenty}});
    chain.send(a.token, "approve(address,uint256)", {abi::Value{d.pool}, abi::Value{plenty}});
  }

  protocols::aave_v3::AaveSync sync{rpc, d.addresses_provider};
  const auto head = rpc.block_number().value();
  const auto contracts = sync.contracts(head).value();
  const auto market = sync.market(contracts, head).value();
  const auto who = sync.discover_accounts(contracts, 0, head).value();
  const auto accounts = sync.accounts(contracts, market, who, head).value();
  const std::uint64_t when = rpc.block(head).value().timestamp + 12;  // the liquidation's block

  const aave::OpportunityLimits limits;
  std::vector<aave::Opportunity> chosen;
  for (const auto& [address, account] : accounts) {
    const auto data = aave::account_data(market, account, when).value();
    if (data.health_factor >= aave::kWad) {
      CHECK_FALSE(aave::best_liquidation(market, address, account, when, limits).has_value());
      continue;
    }
    const auto best = aave::best_liquidation(market, address, account, when, limits);
    REQUIRE(best.has_value());
    CHECK(best->profit_base > 0);
    // Brute force: every pair, and amounts from one unit to everything.
    for (const auto& c : account.positions) {
      for (const auto& b : account.positions) {
        for (const u256& amount : {u256{1}, u256{1000}, best->debt_to_cover / 3,
                                   best->debt_to_cover / 2, best->debt_to_cover, kU256Max}) {
          const auto other = aave::evaluate_liquidation(market, address, account, c.reserve,
                                                        b.reserve, amount, when, limits);
          if (other) CHECK(other->profit_base <= best->profit_base);
        }
      }
    }
    chosen.push_back(*best);
  }
  REQUIRE(chosen.size() >= 3);

  // Execute three of them for real, at the predicted timestamp, one per block.
  std::uint64_t t = when;
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& o = chosen[i];
    const auto& coll = market.reserves[o.collateral];
    const auto& debt = market.reserves[o.debt];
    // Each liquidation is predicted afresh at its own block: earlier ones moved the indexes.
    const auto now = rpc.block_number().value();
    const auto m = sync.market(contracts, now).value();
    const auto accs = sync.accounts(contracts, m, {o.account}, now).value();
    const auto predicted =
        aave::liquidation_outcome(m, accs.at(o.account), o.collateral, o.debt, kU256Max, t).value();
    REQUIRE(rpc.call("evm_setNextBlockTimestamp", nlohmann::json::array({t})).has_value());
    const u256 coll_before = chain.balance_of(coll.asset, d.liquidator);
    const u256 debt_before = chain.balance_of(debt.asset, d.liquidator);
    chain.send(d.pool, "liquidationCall(address,address,address,uint256,bool)",
               {abi::Value{coll.asset}, abi::Value{debt.asset}, abi::Value{o.account},
                abi::Value{kU256Max}, abi::Value{false}});
    CHECK(chain.balance_of(coll.asset, d.liquidator) - coll_before ==
          predicted.collateral_to_liquidator);
    CHECK(debt_before - chain.balance_of(debt.asset, d.liquidator) == predicted.debt_repaid);
    t += 12;
  }
}
