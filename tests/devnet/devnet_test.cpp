#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/process/anvil.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/unlocked_send.hpp"

using namespace chain;
using keeper::testing::run_command;
namespace fs = std::filesystem;

namespace {

struct Devnet {
  fs::path dir;
  std::uint16_t port = 0;
  keeper::devnet::Deployment deployment;

  explicit Devnet(std::size_t borrowers) {
    dir = fs::temp_directory_path() / ("keeper-devnet-test-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    port = keeper::pick_free_port().value();
    const auto up = run_command(keeper::testing::keeper_command(
        "devnet up --block-time 0 --borrowers " + std::to_string(borrowers) + " --seed 1 --port " +
        std::to_string(port) + " --dir " + dir.string()));
    INFO(up.output);
    REQUIRE(up.exit_code == 0);
    deployment = keeper::devnet::read_deployment(dir / "deployment.json").value();
  }
  ~Devnet() {
    run_command(keeper::testing::keeper_command("devnet down --dir " + dir.string()));
    fs::remove_all(dir);
  }
  std::string dir_arg() const { return " --dir " + dir.string(); }
};

abi::Values view(rpc::RpcClient& client, const Address& to, const std::string& signature,
                 const abi::Values& args) {
  const auto fn = abi::parse_function(signature).value();
  const auto out = client.eth_call(
      {std::nullopt, to, fn.encode_call(args).value(), std::nullopt, std::nullopt}, "latest");
  REQUIRE(out.has_value());
  return fn.decode_output(*out).value();
}

const char* kAccountData =
    "getUserAccountData(address)(uint256,uint256,uint256,uint256,uint256,uint256)";

}  // namespace

TEST_CASE("devnet up --block-time 0 deploys a working Aave V3 market with borrowers", "[devnet]") {
  Devnet net{200};
  const auto& d = net.deployment;
  rpc::RpcClient client{rpc::RpcClientOptions::for_urls({d.http_url})};
  auto& node = client;
  REQUIRE(d.borrowers.size() == 200);
  CHECK(node.chain_id().value() == 31337);

  SECTION("every reserve's configuration and price read back on chain") {
    REQUIRE(d.assets.size() == 4);
    for (const auto& a : d.assets) {
      CAPTURE(a.spec.symbol);
      const auto config =
          view(node, d.data_provider,
               "getReserveConfigurationData(address)(uint256,uint256,uint256,uint256,uint256,bool,"
               "bool,bool,bool,bool)",
               {abi::Value{a.token}});
      CHECK(config[0].as_uint() == a.spec.decimals);
      CHECK(config[1].as_uint() == a.spec.ltv);
      CHECK(config[2].as_uint() == a.spec.liquidation_threshold);
      CHECK(config[3].as_uint() == a.spec.liquidation_bonus);
      CHECK(config[4].as_uint() == 1000);  // reserve factor
      CHECK(config[5].as_bool());          // usage as collateral
      CHECK(config[6].as_bool());          // borrowing
      CHECK(config[8].as_bool());          // active
      const auto fee = view(node, d.data_provider, "getLiquidationProtocolFee(address)(uint256)",
                            {abi::Value{a.token}});
      CHECK(fee[0].as_uint() == 1000);
      const auto price =
          view(node, d.oracle, "getAssetPrice(address)(uint256)", {abi::Value{a.token}});
      CHECK(price[0].as_uint() == u256{static_cast<std::uint64_t>(a.spec.price)});
      const auto source =
          view(node, d.oracle, "getSourceOfAsset(address)(address)", {abi::Value{a.token}});
      CHECK(source[0].as_address() == a.feed);
      const auto aggregator = view(node, a.feed, "aggregator()(address)", {});
      CHECK(aggregator[0].as_address() == a.aggregator);
      const auto emode = view(node, d.data_provider, "getReserveEModeCategory(address)(uint256)",
                              {abi::Value{a.token}});
      CHECK(emode[0].as_uint() == a.spec.emode);
    }
  }

  SECTION("report agrees with getUserAccountData; a WETH crash makes accounts liquidatable") {
    const auto report =
        run_command(keeper::testing::keeper_command("devnet report --json" + net.dir_arg()));
    REQUIRE(report.exit_code == 0);
    const auto doc = nlohmann::json::parse(report.output);
    REQUIRE(doc["accounts"].size() == 200);
    CHECK(doc["below_one"] == 0);
    for (const auto& row : doc["accounts"]) {
      const auto account = Address::from_hex(row["account"].get<std::string>()).value();
      const auto data = view(node, d.pool, kAccountData, {abi::Value{account}});
      CHECK(row["total_collateral_base"] == to_dec(data[0].as_uint()));
      CHECK(row["total_debt_base"] == to_dec(data[1].as_uint()));
      CHECK(row["health_factor"] == to_dec(data[5].as_uint()));
      const double hf = to_double(data[5].as_uint()) / 1e18;
      CHECK(hf > 1.0);
      CHECK(hf < 3.05);
    }
    std::size_t in_emode = 0;
    for (const auto& b : d.borrowers) in_emode += b.emode ? 1 : 0;
    CHECK(in_emode > 0);

    const auto crash =
        run_command(keeper::testing::keeper_command("devnet price WETH -25%" + net.dir_arg()));
    INFO(crash.output);
    REQUIRE(crash.exit_code == 0);
    const auto after = nlohmann::json::parse(
        run_command(keeper::testing::keeper_command("devnet report --json" + net.dir_arg()))
            .output);
    CHECK(after["below_one"] == 46);  // deterministic for seed 1

    // A real liquidation by anvil's account 1 proves the market works end to end.
    const auto& victim = after["accounts"][0];
    const auto user = Address::from_hex(victim["account"].get<std::string>()).value();
    const keeper::devnet::Borrower* borrower = nullptr;
    for (const auto& b : d.borrowers)
      if (b.address == user) borrower = &b;
    REQUIRE(borrower != nullptr);
    const auto* collateral = d.asset(borrower->collateral[0]);
    const auto* debt = d.asset(borrower->debt);
    const Address liquidator = d.liquidator;
    const auto send = [&](const Address& to, const std::string& sig, const abi::Values& args) {
      const auto receipt = keeper::testing::send_unlocked(node, liquidator, to, sig, args);
      REQUIRE(receipt.has_value());
      return receipt->success;
    };
    const u256 plenty = u256{1} << 200;
    CHECK(send(debt->token, "mint(uint256)", {abi::Value{plenty}}));
    CHECK(send(debt->token, "approve(address,uint256)", {abi::Value{d.pool}, abi::Value{plenty}}));
    const auto before = view(node, d.pool, kAccountData, {abi::Value{user}});
    CHECK(send(d.pool, "liquidationCall(address,address,address,uint256,bool)",
               {abi::Value{collateral->token}, abi::Value{debt->token}, abi::Value{user},
                abi::Value{kU256Max}, abi::Value{false}}));
    const auto after_liquidation = view(node, d.pool, kAccountData, {abi::Value{user}});
    CHECK(after_liquidation[1].as_uint() < before[1].as_uint());  // debt repaid
  }
}

TEST_CASE("devnet refuses a used dir or port and down leaves no process", "[devnet]") {
  Devnet net{5};
  const auto pid = net.deployment.anvil_pid;
  CHECK(::kill(static_cast<pid_t>(pid), 0) == 0);

  const auto again = run_command(keeper::testing::keeper_command(
      "devnet up --block-time 0 --port " + std::to_string(keeper::pick_free_port().value()) +
      net.dir_arg()));
  CHECK(again.exit_code != 0);
  CHECK_THAT(again.output, Catch::Contains("already holds a devnet"));

  const auto other_dir =
      fs::temp_directory_path() / ("keeper-devnet-test-b-" + std::to_string(::getpid()));
  const auto busy = run_command(keeper::testing::keeper_command("devnet up --block-time 0 --port " +
                                                                std::to_string(net.port) +
                                                                " --dir " + other_dir.string()));
  CHECK(busy.exit_code != 0);
  CHECK_THAT(busy.output, Catch::Contains("already in use"));
  CHECK_FALSE(fs::exists(other_dir / "deployment.json"));
  fs::remove_all(other_dir);

  const auto bad =
      run_command(keeper::testing::keeper_command("devnet price WETH sideways" + net.dir_arg()));
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.output, Catch::Contains("price move must look like"));

  const auto down = run_command(keeper::testing::keeper_command("devnet down" + net.dir_arg()));
  CHECK(down.exit_code == 0);
  CHECK(::kill(static_cast<pid_t>(pid), 0) != 0);
  CHECK_FALSE(keeper::port_accepts(net.port));
}
