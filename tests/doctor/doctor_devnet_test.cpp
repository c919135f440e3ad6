// `keeper doctor` against a fresh devnet: every check passes, and each fault an operator can make
// (wrong chain id, empty wallet, missing contract, unreachable WebSocket, start_block past the
// head) fails exactly the line that names it.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/process/anvil.hpp"
#include "tests/support/chain_fixture.hpp"
#include "tests/support/devnet_guard.hpp"
#include "tests/support/run_command.hpp"

using keeper::testing::keeper_command;
using keeper::testing::run_command;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

struct Doctor {
  int exit_code = -1;
  std::string output;
  json checks = json::array();
  [[nodiscard]] std::set<std::string> with_status(const std::string& status) const {
    std::set<std::string> names;
    for (const auto& c : checks)
      if (c["status"] == status) names.insert(c["name"].get<std::string>());
    return names;
  }
  [[nodiscard]] std::string detail(const std::string& name) const {
    for (const auto& c : checks)
      if (c["name"] == name) return c["detail"].get<std::string>();
    return "";
  }
};

Doctor doctor(const fs::path& config) {
  const auto out = run_command(keeper_command("doctor --json --timeout-ms 2000 --config " +
                                              keeper::testing::shell_quote(config.string())));
  Doctor d{out.exit_code, out.output, json::array()};
  const auto doc = json::parse(out.output, nullptr, false);
  if (!doc.is_discarded() && doc.is_object() && doc.contains("checks")) d.checks = doc["checks"];
  return d;
}

}  // namespace

TEST_CASE("keeper doctor passes on a fresh devnet and fails one clear line per fault",
          "[doctor][devnet]") {
  const fs::path dir = fs::temp_directory_path() / ("keeper-doctor-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  keeper::testing::DevnetGuard guard{dir};
  const auto up = run_command(
      keeper_command("devnet up --borrowers 4 --seed 5 --block-time 1 --port " +
                     std::to_string(keeper::pick_free_port().value()) + " --dir " + dir.string()));
  INFO(up.output);
  REQUIRE(up.exit_code == 0);
  const auto d = keeper::devnet::read_deployment(dir / "deployment.json").value();
  ::setenv("KEEPER_PRIVATE_KEY", std::string{keeper::testing::kAnvilKey1}.c_str(), 1);
  const std::string config = read_text(dir / "keeper.toml");

  {
    // A fresh devnet passes every check.
    const auto text =
        run_command(keeper_command("doctor --config " + (dir / "keeper.toml").string()));
    INFO(text.output);
    CHECK(text.exit_code == 0);
    CHECK_THAT(text.output, Catch::Contains("doctor: ready"));
    // The key is loaded, never shown.
    CHECK(text.output.find(std::string{keeper::testing::kAnvilKey1}.substr(2)) ==
          std::string::npos);

    const auto report = doctor(dir / "keeper.toml");
    INFO(report.output);
    CHECK(report.exit_code == 0);
    CHECK(report.with_status("fail").empty());
    const std::set<std::string> expected_ok{
        "http node", "chain id", "websocket", "mempool subscription", "node sync", "head age",
        "wallet key", "wallet gas", "market devnet", "start_block devnet", "liquidator",
        "liquidator owner", "liquidator pool", "liquidator code", "funding", "approvals",
        // the devnet's second market
        "market devnet-morpho", "start_block devnet-morpho"};
    CHECK(report.with_status("ok") == expected_ok);
    CHECK(report.with_status("skip") == std::set<std::string>{"builders"});
    CHECK_THAT(report.detail("wallet key"), Catch::Contains(d.liquidator.checksummed()));
    CHECK_THAT(report.detail("liquidator owner"), Catch::Contains(d.liquidator.checksummed()));
    CHECK_THAT(report.detail("liquidator pool"), Catch::Contains(d.pool.checksummed()));
  }

  struct Fault {
    const char* name;
    std::string config;
    std::set<std::string> failed;
    std::string check;  // the line that names the fault
    std::string says;
  };
  const std::string ws_line = "ws_url = \"" + d.ws_url + "\"";
  const std::string closed_ws =
      "ws_url = \"ws://127.0.0.1:" + std::to_string(keeper::pick_free_port().value()) + "\"";
  const auto closed_builder_port = keeper::pick_free_port().value();
  const std::vector<Fault> faults{
      {"wrong chain id",
       replaced(config, "chain_id = 31337", "chain_id = 1"),
       // The WebSocket is on 31337 too, and says so.
       {"chain id", "websocket"},
       "chain id",
       "the node is on chain 31337 but the config says chain_id = 1"},
      {"missing contract",
       replaced(config, d.liquidator_contract.checksummed(),
                "0x000000000000000000000000000000000000dEaD"),
       {"liquidator"},
       "liquidator",
       "no contract at liquidator.address 0x000000000000000000000000000000000000dEaD"},
      {"unreachable WebSocket",
       replaced(config, ws_line, closed_ws),
       {"websocket"},
       "websocket",
       "cannot connect to ws://127.0.0.1:"},
      {"a builder that does not answer",
       config + "\n[submission]\nmode = \"both\"\nbuilders = [\"" + d.http_url +
           "\", \"http://127.0.0.1:" + std::to_string(closed_builder_port) +
           "\"]\nsearcher_key_env = \"KEEPER_SEARCHER_KEY\"\n",
       {"builder 127.0.0.1:" + std::to_string(closed_builder_port)},
       "builder 127.0.0.1:" + std::to_string(closed_builder_port),
       "does not answer"},
      {"start_block past the head",
       replaced(config, "start_block = 0", "start_block = 99999999"),
       {"start_block devnet"},
       "start_block devnet",
       "start_block = 99999999 is past the head"},
  };
  // One devnet for every case (each changes only the config it is given): the cases run in turn.
  for (const auto& fault : faults) {
    {
      CAPTURE(fault.name);
      const fs::path path = dir / "faulty.toml";
      std::ofstream(path) << fault.config;
      const auto report = doctor(path);
      INFO(report.output);
      CHECK(report.exit_code == 1);
      CHECK(report.with_status("fail") == fault.failed);
      CHECK_THAT(report.detail(fault.check), Catch::Contains(fault.says));
    }
  }

  {
    // An empty wallet, by the node's own cheat code; its balance is put back after.
    chain::rpc::RpcClient rpc{chain::rpc::RpcClientOptions::for_urls({d.http_url})};
    const auto before = rpc.balance(d.liquidator, std::string{"latest"}).value();
    REQUIRE(
        rpc.call("anvil_setBalance", json::array({d.liquidator.lower_hex(), "0x0"})).has_value());
    const auto report = doctor(dir / "keeper.toml");
    REQUIRE(rpc.call("anvil_setBalance",
                     json::array({d.liquidator.lower_hex(), chain::to_hex_quantity(before)}))
                .has_value());
    INFO(report.output);
    CHECK(report.exit_code == 1);
    CHECK(report.with_status("fail") == std::set<std::string>{"wallet gas"});
    CHECK_THAT(report.detail("wallet gas"),
               Catch::Contains("holds 0.0000 ETH, needs at least 0.0700 ETH: 5 liquidations x "
                               "700000 gas at the 20 gwei fee cap"));
  }
}
