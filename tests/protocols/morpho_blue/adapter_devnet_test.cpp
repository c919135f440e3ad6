// MorphoBlueProtocol on `keeper devnet up`: the book finds both markets and every borrower from
// Morpho's logs; a WETH -25% crash, seen first as the feed's AnswerUpdated log (a tick: no
// read) and then at the next head, makes the same 7 borrowers liquidatable; every opportunity's
// calldata, simulated on chain, seizes and repays exactly what keeper predicted; `keeper scan`
// and `keeper account` show the positions.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/process/anvil.hpp"
#include "protocols/morpho_blue/events.hpp"
#include "protocols/morpho_blue/morpho_blue_protocol.hpp"
#include "tests/support/devnet_guard.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/unlocked_send.hpp"

using namespace protocols::morpho_blue;
using keeper::testing::keeper_command;
using keeper::testing::run_command;
namespace fs = std::filesystem;

namespace {

std::size_t borrowers_in(const MorphoBook& book) {
  std::size_t n = 0;
  for (const auto& m : book.markets())
    for (const auto& [who, p] : m.state.positions)
      if (p.borrow_shares != 0) ++n;
  return n;
}

std::vector<strategy::Assessment> liquidatable(const MorphoBlueProtocol& protocol,
                                               const MorphoBook& book, std::uint64_t timestamp,
                                               std::span<const strategy::PriceMove> moves = {}) {
  std::vector<chain::Address> all;
  protocol.for_each_account([&](const chain::Address& a) { all.push_back(a); });
  std::vector<strategy::Assessment> out;
  for (auto& a : protocol.assess(all, timestamp, {}, moves))
    if (a.verdict == strategy::Assessment::Verdict::liquidatable) out.push_back(std::move(a));
  (void)book;
  return out;
}

}  // namespace

TEST_CASE("the Morpho Blue adapter follows the devnet's markets, ticks and liquidations",
          "[morpho][devnet]") {
  const fs::path dir =
      fs::temp_directory_path() / ("keeper-morpho-adapter-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  keeper::testing::DevnetGuard guard{dir};
  const auto up = run_command(
      keeper_command("devnet up --block-time 0 --borrowers 10 --seed 1 --port " +
                     std::to_string(keeper::pick_free_port().value()) + " --dir " + dir.string()));
  INFO(up.output);
  REQUIRE(up.exit_code == 0);
  const auto d = keeper::devnet::read_deployment(dir / "deployment.json").value();
  REQUIRE(d.morpho.has_value());
  chain::rpc::RpcClient rpc{chain::rpc::RpcClientOptions::for_urls({d.http_url})};

  MorphoBook book{rpc, d.morpho->morpho, {}, d.morpho->deployed_at_block};
  const auto head = rpc.block("latest").value();
  REQUIRE(book.load(head.number, head.timestamp).has_value());
  MorphoBlueProtocol protocol{book};
  REQUIRE(book.markets().size() == 2);
  CHECK(borrowers_in(book) == d.morpho->borrowers.size());
  for (const auto& m : book.markets()) CHECK(m.oracle_form.has_value());
  CHECK(liquidatable(protocol, book, head.timestamp).empty());
  const auto filter = protocol.follow_price_sources(head.number);
  REQUIRE(filter.has_value());
  REQUIRE(filter->has_value());
  CHECK((*filter)->addresses.size() == 3);  // WETH, WBTC and USDC aggregators

  // The crash as a tick: the aggregator's log moves the prices before any read.
  const auto price = run_command(keeper_command("devnet price WETH -25% --dir " + dir.string()));
  INFO(price.output);
  REQUIRE(price.exit_code == 0);
  const auto crashed = rpc.block("latest").value();
  chain::rpc::LogFilter answer_logs{crashed.number - 5,
                                    crashed.number,
                                    {d.asset("WETH")->aggregator},
                                    {{answer_updated_topic()}}};
  const auto logs = rpc.logs(answer_logs).value();
  REQUIRE(logs.size() == 1);
  const auto moves = protocol.decode_price_log(logs[0]);
  REQUIRE(moves.has_value());
  REQUIRE(moves->size() == 1);
  const auto on_tick = liquidatable(protocol, book, crashed.timestamp, *moves);
  CHECK(on_tick.size() == 7);

  // The head: everything re-read, the same accounts.
  const auto update = protocol.advance(crashed);
  REQUIRE(update.has_value());
  const auto at_head = liquidatable(protocol, book, crashed.timestamp);
  REQUIRE(at_head.size() == on_tick.size());
  REQUIRE(keeper::testing::send_unlocked(rpc, d.liquidator, d.asset("USDC")->token,
                                         "approve(address,uint256)",
                                         {d.morpho->morpho, chain::kU256Max})
              .has_value());
  const auto approved = rpc.block("latest").value();
  REQUIRE(protocol.advance(approved).has_value());
  const auto fn = chain::abi::parse_function(
                      "liquidate((address,address,address,address,uint256),address,uint256,"
                      "uint256,bytes)(uint256,uint256)")
                      .value();
  for (std::size_t i = 0; i < at_head.size(); ++i) {
    const auto& o = *at_head[i].best;
    INFO(o.account.checksummed() << " " << o.label);
    CHECK(o.account == on_tick[i].best->account);
    CHECK(o.gross_profit_base > 0);
    CHECK(o.health_factor < strategy::kHealthOne);
    // Evaluated again at the chain's next timestamp, as the call will execute.
    const auto fresh =
        protocol.assess(std::vector<chain::Address>{o.account}, approved.timestamp, {}, {});
    REQUIRE(fresh.size() == 1);
    REQUIRE(fresh[0].best.has_value());
    const auto call = protocol.liquidation_call(*fresh[0].best, false);
    CHECK(call.to == d.morpho->morpho);
    const auto out = rpc.eth_call({d.liquidator, call.to, call.data, std::nullopt, std::nullopt},
                                  approved.number);
    REQUIRE(out.has_value());
    const auto values = fn.decode_output(*out).value();
    CHECK(values[0].as_uint() == fresh[0].best->collateral_seized);
    CHECK(values[1].as_uint() == fresh[0].best->debt_repaid);
    chain::rpc::PendingTransaction pending;
    pending.from = d.liquidator;
    pending.to = call.to;
    pending.input = call.data;
    const auto target = protocol.liquidation_target(pending);
    REQUIRE(target.has_value());
    CHECK(*target == o.account);
  }

  // keeper scan lists every Morpho position after the Pool's accounts; account explains one.
  const auto scan =
      run_command(keeper_command("scan --json --config " + (dir / "keeper.toml").string()));
  INFO(scan.output);
  REQUIRE(scan.exit_code == 0);
  std::size_t morpho_rows = 0, morpho_unhealthy = 0;
  for (const auto& row : nlohmann::json::parse(scan.output.substr(scan.output.find('[')))) {
    if (!row.contains("protocol")) continue;
    ++morpho_rows;
    if (!row["healthy"].get<bool>()) ++morpho_unhealthy;
  }
  CHECK(morpho_rows == d.morpho->borrowers.size());
  CHECK(morpho_unhealthy == 7);
  const auto& someone = at_head.front().best->account;
  const auto account = run_command(keeper_command(
      "account " + someone.checksummed() + " --json --config " + (dir / "keeper.toml").string()));
  INFO(account.output);
  REQUIRE(account.exit_code == 0);
  const auto explained = nlohmann::json::parse(account.output.substr(account.output.find('{')));
  REQUIRE(explained.contains("morpho_blue"));
  CHECK(explained["morpho_blue"].size() == 1);
  CHECK(explained["morpho_blue"][0]["healthy"] == false);
}
