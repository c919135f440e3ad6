// MarketState follows the devnet block by block from events alone (plus one market batch per
// block) and must stay equal to a fresh read of every account, and its health factors to
// Pool.getUserAccountData, through random supplies, borrows, repays, withdrawals, transfers,
// collateral and eMode switches, a year of interest, a price shock and liquidations.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "chain/abi/signature.hpp"
#include "chain/keccak.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/process/anvil.hpp"
#include "protocols/aave_v3/aave_v3_protocol.hpp"
#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/market_state.hpp"
#include "strategy/evaluator/watchlist.hpp"
#include "tests/support/devnet_guard.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/unlocked_send.hpp"

using namespace chain;
namespace aave = protocols::aave_v3;
using abi::Value;
using keeper::testing::keeper_command;
using keeper::testing::run_command;
namespace fs = std::filesystem;

namespace {

const u256 kMax = kU256Max;

u256 pow10u(unsigned n) {
  u256 v = 1;
  for (unsigned i = 0; i < n; ++i) v *= 10;
  return v;
}

class Exercise {
 public:
  Exercise(rpc::RpcClient& rpc, const keeper::devnet::Deployment& d) : rpc_{rpc}, d_{d} {}

  bool send(const Address& from, const Address& to, const std::string& sig,
            const abi::Values& args) {
    const auto r = keeper::testing::send_unlocked(rpc_, from, to, sig, args);
    return r && r->success;
  }

  // One random action by a random borrower; returns its kind if it succeeded.
  std::optional<std::string> random_action(std::mt19937_64& rng) {
    const auto& who = d_.borrowers[rng() % d_.borrowers.size()].address;
    const auto& asset = d_.assets[rng() % d_.assets.size()];
    // 0.001 .. 0.1 tokens: small enough to keep most accounts healthy, large enough to count.
    const u256 amount = u256{1 + rng() % 100} * pow10u(asset.spec.decimals) / 1000;
    switch (rng() % 7) {
      case 0:
        return send(who, asset.token, "mint(address,uint256)", {Value{who}, Value{amount}}) &&
                       send(who, asset.token, "approve(address,uint256)",
                            {Value{d_.pool}, Value{amount}}) &&
                       send(who, d_.pool, "supply(address,uint256,address,uint16)",
                            {Value{asset.token}, Value{amount}, Value{who}, Value{u256{0}}})
                   ? std::optional<std::string>{"supply"}
                   : std::nullopt;
      case 1:
        return send(who, d_.pool, "borrow(address,uint256,uint256,uint16,address)",
                    {Value{asset.token}, Value{amount}, Value{u256{2}}, Value{u256{0}}, Value{who}})
                   ? std::optional<std::string>{"borrow"}
                   : std::nullopt;
      case 2:
        return send(who, asset.token, "mint(address,uint256)", {Value{who}, Value{amount}}) &&
                       send(who, asset.token, "approve(address,uint256)",
                            {Value{d_.pool}, Value{amount}}) &&
                       send(who, d_.pool, "repay(address,uint256,uint256,address)",
                            {Value{asset.token}, Value{amount}, Value{u256{2}}, Value{who}})
                   ? std::optional<std::string>{"repay"}
                   : std::nullopt;
      case 3: {
        // A sliver of a collateral the borrower has, so that the health factor allows it.
        const auto& b = d_.borrowers[rng() % d_.borrowers.size()];
        const auto* held = d_.asset(b.collateral.front());
        return send(b.address, d_.pool, "withdraw(address,uint256,address)",
                    {Value{held->token}, Value{pow10u(held->spec.decimals) / 10'000},
                     Value{b.address}})
                   ? std::optional<std::string>{"withdraw"}
                   : std::nullopt;
      }
      case 4: {
        const auto& to = d_.borrowers[rng() % d_.borrowers.size()].address;
        return send(who, asset.a_token, "transfer(address,uint256)", {Value{to}, Value{amount}})
                   ? std::optional<std::string>{"transfer"}
                   : std::nullopt;
      }
      case 5: {
        // Switch a borrower's last collateral off or back on (refused when health would suffer).
        const auto& b = d_.borrowers[rng() % d_.borrowers.size()];
        const auto* held = d_.asset(b.collateral.back());
        return send(b.address, d_.pool, "setUserUseReserveAsCollateral(address,bool)",
                    {Value{held->token}, Value{rng() % 2 == 0}})
                   ? std::optional<std::string>{"collateral"}
                   : std::nullopt;
      }
      default:
        return send(who, d_.pool, "setUserEMode(uint8)", {Value{u256{rng() % 2}}})
                   ? std::optional<std::string>{"emode"}
                   : std::nullopt;
    }
  }

 private:
  rpc::RpcClient& rpc_;
  const keeper::devnet::Deployment& d_;
};

// The state equals a fresh read of every account at its block, and its health math equals the
// Pool's. Returns how many accounts were compared.
std::size_t check_exact(rpc::RpcClient& rpc, protocols::aave_v3::AaveSync& sync,
                        const protocols::aave_v3::AaveContracts& contracts,
                        const protocols::aave_v3::MarketState& state,
                        const keeper::devnet::Deployment& d) {
  const auto block = state.block();
  const auto header = rpc.block(block).value();
  const std::vector<Address> who(state.accounts().begin(), state.accounts().end());
  const auto fresh = sync.accounts(contracts, state.market(), who, block).value();
  const auto fn =
      abi::parse_function(
          "getUserAccountData(address)(uint256,uint256,uint256,uint256,uint256,uint256)")
          .value();
  std::size_t compared = 0;
  for (const auto& a : who) {
    CAPTURE(a.checksummed(), block);
    REQUIRE(state.positions().count(a) == 1);
    const auto& mine = state.positions().at(a);
    const auto& truth = fresh.at(a);
    CHECK(mine.config.data == truth.config.data);
    CHECK(mine.emode == truth.emode);
    REQUIRE(mine.positions.size() == truth.positions.size());
    for (std::size_t i = 0; i < mine.positions.size(); ++i) {
      CHECK(mine.positions[i].reserve == truth.positions[i].reserve);
      CHECK(mine.positions[i].scaled_a_token == truth.positions[i].scaled_a_token);
      CHECK(mine.positions[i].scaled_variable_debt == truth.positions[i].scaled_variable_debt);
      CHECK(mine.positions[i].stable_principal == truth.positions[i].stable_principal);
    }
    const auto data = aave::account_data(state.market(), mine, header.timestamp).value();
    const auto out =
        rpc.eth_call({std::nullopt, d.pool, fn.encode_call(abi::Values{Value{a}}).value(),
                      std::nullopt, std::nullopt},
                     block);
    REQUIRE(out.has_value());
    const auto v = fn.decode_output(*out).value();
    CHECK(data.total_collateral_base == v[0].as_uint());
    CHECK(data.total_debt_base == v[1].as_uint());
    CHECK(data.available_borrows_base == v[2].as_uint());
    CHECK(data.current_liquidation_threshold == v[3].as_uint());
    CHECK(data.ltv == v[4].as_uint());
    CHECK(data.health_factor == v[5].as_uint());
    ++compared;
  }
  return compared;
}

}  // namespace

TEST_CASE("the live market state stays exact from events alone", "[state][e2e]") {
  const fs::path dir =
      fs::temp_directory_path() / ("keeper-state-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const keeper::testing::DevnetGuard guard{dir};
  REQUIRE(run_command(keeper_command("devnet up --block-time 0 --borrowers 60 --seed 5 --port " +
                                     std::to_string(keeper::pick_free_port().value()) + " --dir " +
                                     dir.string()))
              .exit_code == 0);
  const auto d = keeper::devnet::read_deployment(dir / "deployment.json").value();
  rpc::RpcClient rpc{rpc::RpcClientOptions::for_urls({d.http_url})};
  REQUIRE(rpc.call("anvil_autoImpersonateAccount", nlohmann::json::array({true})).has_value());

  protocols::aave_v3::AaveSync sync{rpc, d.addresses_provider};
  const auto contracts = sync.contracts(rpc.block_number().value()).value();
  protocols::aave_v3::MarketState state{rpc, sync, contracts};
  REQUIRE(state.sync_full(rpc.block("latest").value(), {}, 0).has_value());
  CHECK(check_exact(rpc, sync, contracts, state, d) == 61);  // 60 borrowers and the lender

  const auto advance = [&] {
    const auto report = state.advance(rpc.block("latest").value());
    REQUIRE(report.has_value());
    CHECK(report->resynced.empty());
    return *report;
  };

  Exercise ex{rpc, d};
  std::mt19937_64 rng{20261124};
  std::map<std::string, int> done;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 15; ++i)
      if (auto kind = ex.random_action(rng)) ++done[*kind];
    const auto report = advance();
    CHECK(report.logs > 0);
    CHECK(report.accounts_refreshed > 0);
    CHECK(report.accounts_refreshed < state.accounts().size());  // only the touched ones
    check_exact(rpc, sync, contracts, state, d);
  }
  for (const char* kind : {"supply", "borrow", "repay", "withdraw", "transfer", "collateral"}) {
    CAPTURE(kind);
    CHECK(done[kind] > 0);
  }

  SECTION("a year of interest: no event, nothing re-read, still exact") {
    REQUIRE(
        run_command(keeper_command("devnet advance 31536000 --dir " + dir.string())).exit_code ==
        0);
    const auto report = advance();
    CHECK(report.accounts_refreshed == 0);
    check_exact(rpc, sync, contracts, state, d);
  }

  SECTION("a price shock and liquidations, then a transfer to a brand-new account") {
    REQUIRE(run_command(keeper_command("devnet price WETH -30% --dir " + dir.string())).exit_code ==
            0);
    advance();
    {
      // The ranking forms agree with the exact math, and the watch band holds every account the
      // exact math finds liquidatable, while leaving most accounts out of exact evaluation.
      const auto ts = rpc.block(state.block()).value().timestamp;
      const protocols::aave_v3::AaveV3Protocol protocol{
          state.market(), state.positions(), state.block(), contracts, {}};
      strategy::Watchlist watch;
      watch.refresh_all(protocol, ts);
      const auto pass = watch.scan(protocol, 1.05);
      const std::set<Address> candidates(pass.candidates.begin(), pass.candidates.end());
      std::size_t below_one = 0;
      for (const auto& [who, account] : state.positions()) {
        const auto exact = aave::account_data(state.market(), account, ts).value();
        if (exact.total_debt_base == 0) continue;
        CAPTURE(who.checksummed());
        const std::map<Address, aave::Account> alone{{who, account}};
        const protocols::aave_v3::AaveV3Protocol just_one{
            state.market(), alone, state.block(), contracts, {}};
        strategy::Watchlist one;
        one.refresh_all(just_one, ts);
        const auto approx = one.scan(just_one, 1.05);
        REQUIRE(approx.health.size() == 1);
        // The Pool rounds the average threshold down to whole basis points (1 in ~8000), which
        // the linear form does not: they agree to 3e-4, far inside the 5% watch band.
        CHECK(approx.health[0] == Approx(to_double(exact.health_factor) / 1e18).epsilon(3e-4));
        if (exact.health_factor < u256{1'000'000'000'000'000'000ULL}) {
          ++below_one;
          CHECK(candidates.count(who) == 1);
        }
      }
      CHECK(below_one > 0);
      CHECK(candidates.size() < state.positions().size() / 2);
    }
    // Liquidate (100% close factor below 0.95) every account now below 1 that holds WETH.
    const auto* weth = d.asset("WETH");
    int liquidated = 0;
    for (const auto& [who, account] : state.positions()) {
      const auto data =
          aave::account_data(state.market(), account, rpc.block("latest").value().timestamp);
      if (!data || data->health_factor >= u256{1'000'000'000'000'000'000ULL} ||
          data->total_debt_base == 0)
        continue;
      for (const auto& debt_asset : d.assets) {
        const auto& r = *state.market().reserve_of(debt_asset.token);
        const auto* p = account.position(r.id);
        if (p == nullptr || p->scaled_variable_debt == 0) continue;
        if (ex.send(d.liquidator, debt_asset.token, "mint(address,uint256)",
                    {Value{d.liquidator}, Value{pow10u(debt_asset.spec.decimals) * 10'000'000}}) &&
            ex.send(d.liquidator, debt_asset.token, "approve(address,uint256)",
                    {Value{d.pool}, Value{kMax}}) &&
            ex.send(d.liquidator, d.pool, "liquidationCall(address,address,address,uint256,bool)",
                    {Value{weth->token}, Value{debt_asset.token}, Value{who}, Value{kMax},
                     Value{liquidated % 2 == 0}}))
          ++liquidated;
        break;
      }
      if (liquidated >= 6) break;
    }
    CHECK(liquidated >= 3);
    const auto report = advance();
    CHECK(report.events.count("liquidation_call") == 1);
    CHECK(report.events.at("liquidation_call") >= 3);
    check_exact(rpc, sync, contracts, state, d);

    const Address newcomer = Address::from_word(keccak256(std::string_view{"newcomer"}));
    const auto& giver = d.liquidity_provider;
    REQUIRE(ex.send(giver, d.asset("USDC")->a_token, "transfer(address,uint256)",
                    {Value{newcomer}, Value{u256{1'000'000}}}));
    const auto after = advance();
    CHECK(after.accounts_new == 1);
    CHECK(state.accounts().count(newcomer) == 1);
    check_exact(rpc, sync, contracts, state, d);
  }
}
