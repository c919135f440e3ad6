#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "chain/keccak.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/process/anvil.hpp"
#include "tests/support/chain_fixture.hpp"
#include "tests/support/devnet_guard.hpp"
#include "tests/support/run_command.hpp"

using namespace chain;
using keeper::testing::keeper_command;
using keeper::testing::run_command;
namespace fs = std::filesystem;

namespace {

const std::string kKeyEnv = "KEEPER_PRIVATE_KEY=" + std::string{keeper::testing::kAnvilKey1} + " ";

std::vector<nlohmann::json> json_lines(const std::string& output) {
  std::vector<nlohmann::json> out;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object()) out.push_back(j);
  }
  return out;
}

std::set<std::string> below_one(const fs::path& dir) {
  const auto report = run_command(keeper_command("devnet report --json --dir " + dir.string()));
  REQUIRE(report.exit_code == 0);
  std::set<std::string> out;
  const auto doc = nlohmann::json::parse(report.output);
  for (const auto& row : doc["accounts"])
    if (u256_from_dec(row["health_factor"].get<std::string>()).value() <
        u256{1'000'000'000'000'000'000ULL})
      out.insert(row["account"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("keeper run liquidates every liquidatable account without a revert", "[run][e2e]") {
  const fs::path dir =
      fs::temp_directory_path() / ("keeper-run-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const keeper::testing::DevnetGuard guard{dir};
  const auto port = keeper::pick_free_port().value();
  REQUIRE(run_command(keeper_command("devnet up --borrowers 200 --seed 1 --block-time 1 --port " +
                                     std::to_string(port) + " --dir " + dir.string()))
              .exit_code == 0);
  const auto d = keeper::devnet::read_deployment(dir / "deployment.json").value();
  rpc::RpcClient rpc{rpc::RpcClientOptions::for_urls({d.http_url})};
  const std::string config = (dir / "keeper.toml").string();
  REQUIRE(run_command(keeper_command("devnet price WETH -25% --dir " + dir.string())).exit_code ==
          0);
  const auto targets = below_one(dir);
  REQUIRE(targets.size() == 46);

  SECTION("--dry-run reports the same accounts and sends nothing") {
    const auto nonce = rpc.transaction_count(d.liquidator, "latest").value();
    const auto out = run_command(
        kKeyEnv +
        keeper_command("run --dry-run --max-blocks 1 --log-format json --config " + config));
    INFO(out.output);
    REQUIRE(out.exit_code == 0);
    std::set<std::string> reported;
    for (const auto& e : json_lines(out.output))
      // The Aave market's (the devnet's config names it "devnet"); Morpho's follow beside it.
      if (e["event"] == "would_liquidate" && e.value("market", std::string{}) == "devnet")
        reported.insert(e["account"].get<std::string>());
    CHECK(reported == targets);
    CHECK(rpc.transaction_count(d.liquidator, "latest").value() == nonce);
  }

  SECTION("run: every target is liquidated, no transaction reverts") {
    const auto start = rpc.block_number().value();
    const auto out = run_command(
        kKeyEnv + keeper_command("run --max-blocks 6 --log-format json --config " + config));
    INFO(out.output);
    REQUIRE(out.exit_code == 0);
    std::uint64_t reverted = 0;
    for (const auto& e : json_lines(out.output))
      if (e["event"] == "transactions") reverted = e["reverted"].get<std::uint64_t>();
    CHECK(reverted == 0);
    // On chain: LiquidationCall events naming our liquidator. On a quiet machine they all land
    // within 3 one-second blocks; a loaded CI machine may need a few more, so the window is the
    // whole run.
    rpc::LogFilter filter;
    filter.addresses = {d.pool};
    filter.topics = {
        {keccak256("LiquidationCall(address,address,address,uint256,uint256,address,bool)")}};
    filter.from_block = start;
    filter.to_block = start + 6;
    std::set<std::string> liquidated;
    const auto logs = rpc.logs(filter).value();
    for (const auto& log : logs) {
      Hash word{};
      std::copy(log.data.begin() + 64, log.data.begin() + 96, word.begin());
      const Address liquidator = Address::from_word(word);
      if (liquidator == d.liquidator || liquidator == d.liquidator_contract)
        liquidated.insert(Address::from_word(log.topics[3]).checksummed());
    }
    for (const auto& t : targets) {
      CAPTURE(t);
      CHECK(liquidated.count(t) == 1);
    }
  }

  SECTION(
      "a wrong chain id, a malformed config and a missing key stop keeper before any transaction") {
    const auto nonce = rpc.transaction_count(d.liquidator, "latest").value();
    std::ifstream in(config);
    std::string text{std::istreambuf_iterator<char>(in), {}};
    const auto write = [&](const std::string& name, const std::string& content) {
      std::ofstream(dir / name) << content;
      return (dir / name).string();
    };
    std::string wrong_chain = text;
    wrong_chain.replace(wrong_chain.find("chain_id = 31337"), 16, "chain_id = 1");
    auto r = run_command(kKeyEnv +
                         keeper_command("run --config " + write("wrong-chain.toml", wrong_chain)));
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.output, Catch::Contains("refusing to start"));

    std::string bad = text;
    bad.replace(bad.find("min_profit_usd = 1.0"), 20, "min_profit_usd = \"x\"");
    r = run_command(kKeyEnv + keeper_command("run --config " + write("bad.toml", bad)));
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.output, Catch::Contains("strategy.min_profit_usd"));

    r = run_command("env -u KEEPER_PRIVATE_KEY " + keeper_command("run --config " + config));
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.output, Catch::Contains("KEEPER_PRIVATE_KEY"));
    CHECK(r.output.find(std::string{keeper::testing::kAnvilKey1}.substr(2)) == std::string::npos);
    CHECK(rpc.transaction_count(d.liquidator, "latest").value() == nonce);
  }
}
