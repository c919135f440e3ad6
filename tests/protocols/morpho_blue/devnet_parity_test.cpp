// For every borrower of every Morpho Blue market of `keeper devnet up`, keeper's borrowed assets,
// max borrow, health and liquidation amounts equal what Morpho itself computes, to the wei:
// Morpho's `liquidate` (eth_call, 1 wei of collateral) reverts with "position is healthy" exactly
// for the positions keeper calls healthy, returns the repaid assets keeper predicts for the others,
// `repay` of all shares returns keeper's borrowed assets; at deployment, after a WETH -25% crash,
// and after a year of interest. Keeper accrues interest itself from the stored (not yet accrued)
// market, as at a head.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "chain/abi/revert.hpp"
#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/process/anvil.hpp"
#include "protocols/morpho_blue/market_math.hpp"
#include "protocols/morpho_blue/morpho_reads.hpp"
#include "tests/support/devnet_guard.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/unlocked_send.hpp"

using namespace protocols::morpho_blue;
using keeper::testing::keeper_command;
using keeper::testing::run_command;
namespace fs = std::filesystem;

namespace {

struct Counts {
  std::size_t positions = 0;
  std::size_t healthy = 0;
  std::size_t unhealthy = 0;
};

MarketId parse_id(const std::string& hex) {
  const auto bytes = chain::hex_decode(hex).value();
  MarketId id{};
  std::copy(bytes.begin(), bytes.end(), id.begin());
  return id;
}

// What Morpho answers to `signature(args)` from `from` at `block`: the output, or the revert.
tl::expected<chain::abi::Values, std::string> call_as(
    chain::rpc::RpcClient& rpc, const chain::Address& from, const chain::Address& to,
    const std::string& signature, const chain::abi::Values& args, std::uint64_t block) {
  const auto fn = chain::abi::parse_function(signature).value();
  auto out =
      rpc.eth_call({from, to, fn.encode_call(args).value(), std::nullopt, std::nullopt}, block);
  if (!out) {
    if (out.error().revert_data)
      return tl::unexpected(chain::abi::decode_revert(*out.error().revert_data).message);
    return tl::unexpected(out.error().to_string());
  }
  return fn.decode_output(*out).value();
}

const std::string kParams = kMarketParamsTuple;

Counts check_parity(chain::rpc::RpcClient& rpc, const keeper::devnet::Deployment& d) {
  const auto& m = *d.morpho;
  const std::uint64_t block = rpc.block_number().value();
  const std::uint64_t timestamp = rpc.block(block).value().timestamp;
  std::vector<MarketId> ids;
  for (const auto& x : m.markets) ids.push_back(parse_id(x.id));
  MorphoReader reader{rpc, m.morpho};
  auto markets = reader.markets(ids, block);
  REQUIRE(markets.has_value());
  Counts counts;
  for (auto& market : *markets) {
    std::vector<std::pair<MarketId, chain::Address>> which;
    for (const auto& b : m.borrowers)
      if (parse_id(b.market) == market.id) which.emplace_back(market.id, b.address);
    REQUIRE(!which.empty());
    const auto positions = reader.positions(which, block);
    REQUIRE(positions.has_value());
    // Keeper's view at the head: the stored market accrued to the head's timestamp.
    MarketTotals totals = market.totals;
    accrue_interest(totals, market.borrow_rate, timestamp);
    for (std::size_t i = 0; i < which.size(); ++i) {
      const auto& who = which[i].second;
      const auto& pos = (*positions)[i];
      INFO("borrower " << who.checksummed() << " in market " << market_id_hex(market.id));
      ++counts.positions;
      const auto h = health(totals, pos, market.params.lltv, market.price);
      // Morpho's own borrowed assets: repaying every share costs exactly toAssetsUp(shares).
      const auto repay =
          call_as(rpc, d.liquidator, m.morpho,
                  "repay(" + kParams + ",uint256,uint256,address,bytes)(uint256,uint256)",
                  {to_abi(market.params), u256{0}, pos.borrow_shares, who, chain::Bytes{}}, block);
      REQUIRE(repay.has_value());
      CHECK((*repay)[0].as_uint() == h.borrowed);
      // Max borrow from Morpho's inputs: position, market and the oracle (as _isHealthy).
      CHECK(h.max_borrow ==
            w_mul_down(mul_div_down(pos.collateral, market.price, kOraclePriceScale),
                       market.params.lltv));
      const auto liquidation =
          call_as(rpc, d.liquidator, m.morpho,
                  "liquidate(" + kParams + ",address,uint256,uint256,bytes)(uint256,uint256)",
                  {to_abi(market.params), who, u256{1}, u256{0}, chain::Bytes{}}, block);
      if (h.healthy()) {
        ++counts.healthy;
        REQUIRE_FALSE(liquidation.has_value());
        CHECK(liquidation.error() == "position is healthy");
        continue;
      }
      ++counts.unhealthy;
      REQUIRE(liquidation.has_value());
      MarketTotals t1 = totals;
      Position p1 = pos;
      const auto predicted = liquidate(t1, p1, market.params.lltv, market.price, u256{1}, 0);
      REQUIRE(predicted.has_value());
      CHECK((*liquidation)[0].as_uint() == 1);
      CHECK((*liquidation)[1].as_uint() == predicted->repaid_assets);
      // Half the shares repaid: the collateral Morpho gives for them, rounded down.
      const u256 half = pos.borrow_shares / 2;
      const auto by_shares =
          call_as(rpc, d.liquidator, m.morpho,
                  "liquidate(" + kParams + ",address,uint256,uint256,bytes)(uint256,uint256)",
                  {to_abi(market.params), who, u256{0}, half, chain::Bytes{}}, block);
      MarketTotals t2 = totals;
      Position p2 = pos;
      const auto expected = liquidate(t2, p2, market.params.lltv, market.price, 0, half);
      REQUIRE(expected.has_value());
      REQUIRE(by_shares.has_value());
      CHECK((*by_shares)[0].as_uint() == expected->seized_assets);
      CHECK((*by_shares)[1].as_uint() == expected->repaid_assets);
    }
  }
  return counts;
}

}  // namespace

TEST_CASE("keeper's Morpho Blue health equals Morpho's for every devnet borrower",
          "[morpho][devnet]") {
  const fs::path dir =
      fs::temp_directory_path() / ("keeper-morpho-parity-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  keeper::testing::DevnetGuard guard{dir};
  const auto up = run_command(
      keeper_command("devnet up --block-time 0 --borrowers 20 --seed 1 --port " +
                     std::to_string(keeper::pick_free_port().value()) + " --dir " + dir.string()));
  INFO(up.output);
  REQUIRE(up.exit_code == 0);
  const auto d = keeper::devnet::read_deployment(dir / "deployment.json").value();
  REQUIRE(d.morpho.has_value());
  REQUIRE(d.morpho->markets.size() == 2);
  chain::rpc::RpcClient rpc{chain::rpc::RpcClientOptions::for_urls({d.http_url})};
  // The liquidator pays USDC to Morpho in the simulated liquidations and repayments.
  REQUIRE(keeper::testing::send_unlocked(rpc, d.liquidator, d.asset("USDC")->token,
                                         "approve(address,uint256)",
                                         {d.morpho->morpho, chain::kU256Max})
              .has_value());

  const auto fresh = check_parity(rpc, d);
  CHECK(fresh.positions == d.morpho->borrowers.size());
  CHECK(fresh.unhealthy == 0);

  const auto price = run_command(keeper_command("devnet price WETH -25% --dir " + dir.string()));
  INFO(price.output);
  REQUIRE(price.exit_code == 0);
  const auto crashed = check_parity(rpc, d);
  // LTVs above 64.5% of the WETH market cross 86% at -25%: 7 of its 12 borrowers.
  CHECK(crashed.unhealthy == 7);
  CHECK(crashed.healthy == crashed.positions - 7);

  const auto year = run_command(keeper_command("devnet advance 31536000 --dir " + dir.string()));
  INFO(year.output);
  REQUIRE(year.exit_code == 0);
  const auto later = check_parity(rpc, d);
  // ~18% interest pushes more over, in both markets.
  CHECK(later.unhealthy > crashed.unhealthy);
  CHECK(later.healthy > 0);
}
