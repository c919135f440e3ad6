#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "chain/abi/signature.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/process/anvil.hpp"
#include "tests/support/devnet_guard.hpp"
#include "tests/support/run_command.hpp"

using namespace chain;
using keeper::testing::run_command;
namespace fs = std::filesystem;

namespace {

// scan --json, keyed by account.
std::map<std::string, nlohmann::json> scan(const fs::path& dir, const std::string& extra = "") {
  const auto out = run_command(keeper::testing::keeper_command(
      "scan --json --config " + (dir / "keeper.toml").string() + extra));
  INFO(out.output);
  REQUIRE(out.exit_code == 0);
  std::map<std::string, nlohmann::json> rows;
  for (const auto& row : nlohmann::json::parse(out.output))
    rows[row["account"].get<std::string>()] = row;
  return rows;
}

// Every borrower's scan row equals Pool.getUserAccountData at `block`, field for field.
std::size_t compare_all(rpc::RpcClient& rpc, const keeper::devnet::Deployment& d,
                        const std::map<std::string, nlohmann::json>& rows,
                        const rpc::BlockTag& block) {
  const auto fn =
      abi::parse_function(
          "getUserAccountData(address)(uint256,uint256,uint256,uint256,uint256,uint256)")
          .value();
  std::size_t compared = 0;
  for (const auto& b : d.borrowers) {
    const auto key = b.address.checksummed();
    CAPTURE(key);
    const auto out = rpc.eth_call(
        {std::nullopt, d.pool, fn.encode_call(abi::Values{abi::Value{b.address}}).value(),
         std::nullopt, std::nullopt},
        block);
    REQUIRE(out.has_value());
    const auto v = fn.decode_output(*out).value();
    REQUIRE(rows.count(key) == 1);
    const auto& row = rows.at(key);
    CHECK(row["total_collateral_base"] == to_dec(v[0].as_uint()));
    CHECK(row["total_debt_base"] == to_dec(v[1].as_uint()));
    CHECK(row["available_borrows_base"] == to_dec(v[2].as_uint()));
    CHECK(row["current_liquidation_threshold"] == to_dec(v[3].as_uint()));
    CHECK(row["ltv"] == to_dec(v[4].as_uint()));
    CHECK(row["health_factor"] == to_dec(v[5].as_uint()));
    ++compared;
  }
  return compared;
}

}  // namespace

TEST_CASE("scan computes every account's health exactly as the Pool does", "[scan][devnet]") {
  const fs::path dir =
      fs::temp_directory_path() / ("keeper-scan-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const keeper::testing::DevnetGuard guard{dir};
  const auto port = keeper::pick_free_port().value();
  const auto up = run_command(
      keeper::testing::keeper_command("devnet up --block-time 0 --borrowers 200 --seed 7 --port " +
                                      std::to_string(port) + " --dir " + dir.string()));
  INFO(up.output);
  REQUIRE(up.exit_code == 0);
  const auto d = keeper::devnet::read_deployment(dir / "deployment.json").value();
  rpc::RpcClient rpc{rpc::RpcClientOptions::for_urls({d.http_url})};
  const std::string at = " --dir " + dir.string();

  // Fresh market (eMode accounts included).
  CHECK(compare_all(rpc, d, scan(dir), "latest") == 200);
  const auto before_year = rpc.block_number().value();

  // A year of interest: indexes accrue from the stored ones, exactly.
  REQUIRE(run_command(keeper::testing::keeper_command("devnet advance 31536000" + at)).exit_code ==
          0);
  CHECK(compare_all(rpc, d, scan(dir), "latest") == 200);

  // A price shock.
  REQUIRE(run_command(keeper::testing::keeper_command("devnet price WETH -25%" + at)).exit_code ==
          0);
  REQUIRE(run_command(keeper::testing::keeper_command("devnet price DAI +3%" + at)).exit_code == 0);
  const auto rows = scan(dir);
  CHECK(compare_all(rpc, d, rows, "latest") == 200);
  std::size_t below = 0;
  for (const auto& [account, row] : rows)
    below += u256_from_dec(row["health_factor"].get<std::string>()).value() <
             u256{1'000'000'000'000'000'000ULL};
  CHECK(below > 0);

  // A past block: state and timestamp of that block, not of the head.
  CHECK(compare_all(rpc, d, scan(dir, " --block " + std::to_string(before_year)), before_year) ==
        200);

  // Bad input stops scan with a clear message.
  const auto wrong_block = run_command(keeper::testing::keeper_command(
      "scan --config " + (dir / "keeper.toml").string() + " --block x"));
  CHECK(wrong_block.exit_code != 0);
  CHECK_THAT(wrong_block.output, Catch::Contains("--block needs a non-negative integer"));
}
