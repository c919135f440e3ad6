#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "chain/abi/signature.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/process/anvil.hpp"
#include "tests/support/devnet_guard.hpp"
#include "tests/support/run_command.hpp"

using namespace chain;
using keeper::testing::keeper_command;
using keeper::testing::run_command;
namespace fs = std::filesystem;

TEST_CASE("keeper account explains an account reserve by reserve, adding up to the Pool's totals",
          "[account][e2e]") {
  const fs::path dir =
      fs::temp_directory_path() / ("keeper-account-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const keeper::testing::DevnetGuard guard{dir};
  REQUIRE(run_command(keeper_command("devnet up --block-time 0 --borrowers 40 --seed 3 --port " +
                                     std::to_string(keeper::pick_free_port().value()) + " --dir " +
                                     dir.string()))
              .exit_code == 0);
  const auto d = keeper::devnet::read_deployment(dir / "deployment.json").value();
  const std::string config = (dir / "keeper.toml").string();
  rpc::RpcClient rpc{rpc::RpcClientOptions::for_urls({d.http_url})};
  const auto block = rpc.block_number().value();
  const auto fn =
      abi::parse_function(
          "getUserAccountData(address)(uint256,uint256,uint256,uint256,uint256,uint256)")
          .value();

  std::size_t in_emode = 0;
  for (const auto& b : d.borrowers) {
    const auto address = b.address.checksummed();
    CAPTURE(address);
    const auto out = run_command(keeper_command("account " + address + " --json --block " +
                                                std::to_string(block) + " --config " + config));
    INFO(out.output);
    REQUIRE(out.exit_code == 0);
    const auto doc = nlohmann::json::parse(out.output);
    const auto pool =
        fn.decode_output(rpc.eth_call({std::nullopt, d.pool,
                                       fn.encode_call(abi::Values{abi::Value{b.address}}).value(),
                                       std::nullopt, std::nullopt},
                                      block)
                             .value())
            .value();
    CHECK(doc["account"] == address);
    CHECK(doc["total_collateral_base"] == to_dec(pool[0].as_uint()));
    CHECK(doc["total_debt_base"] == to_dec(pool[1].as_uint()));
    CHECK(doc["health_factor"] == to_dec(pool[5].as_uint()));
    // The per-reserve lines are the Pool's own terms: they sum to its totals exactly, and the
    // shares of HF sum to the HF.
    u256 collateral = 0, debt = 0;
    double shares = 0;
    for (const auto& r : doc["reserves"]) {
      collateral += u256_from_dec(r["collateral_base"].get<std::string>()).value();
      debt += u256_from_dec(r["debt_base"].get<std::string>()).value();
      shares += r["health_factor_share"].get<double>();
    }
    CHECK(to_dec(collateral) == to_dec(pool[0].as_uint()));
    CHECK(to_dec(debt) == to_dec(pool[1].as_uint()));
    if (pool[1].as_uint() != 0)
      CHECK(shares == Approx(to_double(pool[5].as_uint()) / 1e18).epsilon(1e-9));
    if (doc["emode"] != 0) ++in_emode;
  }
  CHECK(in_emode > 0);  // eMode thresholds and prices were exercised

  SECTION("readable output and bad input") {
    const auto text = run_command(
        keeper_command("account " + d.borrowers[0].address.checksummed() + " --config " + config));
    CHECK(text.exit_code == 0);
    CHECK_THAT(text.output, Catch::Contains("health factor"));
    CHECK_THAT(text.output, Catch::Contains("liq. price"));
    struct Row {
      std::string args;
      std::string message;
    };
    const std::vector<Row> rows{
        {"0x1234 --config " + config, "is not an address"},
        {d.borrowers[0].address.checksummed() + " --config " + config + " --block x",
         "--block needs a non-negative integer"},
        {"--config " + config, "an ADDRESS is required"},
        {d.borrowers[0].address.checksummed(), "--config FILE is required"},
        {d.borrowers[0].address.checksummed() + " --config /nonexistent.toml", "nonexistent"},
    };
    for (const auto& row : rows) {
      CAPTURE(row.args);
      const auto r = run_command(keeper_command("account " + row.args));
      CHECK(r.exit_code != 0);
      CHECK_THAT(r.output, Catch::Contains(row.message));
    }
  }
}
