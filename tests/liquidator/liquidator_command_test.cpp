// `keeper liquidator deploy|withdraw` against a devnet, signing with the devnet's keeper.toml
// wallet.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/liquidator/liquidator_devnet.hpp"
#include "tests/support/chain_fixture.hpp"
#include "tests/support/run_command.hpp"

using namespace chain;
using keeper::testing::keeper_command;
using keeper::testing::LiquidatorDevnet;
using keeper::testing::run_command;
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return path;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// `keeper liquidator ARGS` signing with `key` (the environment variable keeper.toml names).
keeper::testing::CommandResult liquidator(std::string_view key, const std::string& args) {
  return run_command("KEEPER_PRIVATE_KEY=" + std::string{key} + " " +
                     keeper_command("liquidator " + args));
}

std::string last_line(const std::string& output) {
  std::string text = output;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const auto nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

}  // namespace

TEST_CASE("keeper liquidator deploy and withdraw, as the config's wallet", "[liquidator][devnet]") {
  LiquidatorDevnet net{"command", 4};
  const auto& d = net.deployment();
  const fs::path toml = net.dir() / "keeper.toml";
  const std::string key1{keeper::testing::kAnvilKey1};

  // (e) deploy: the address is the last line, with code, owned by the wallet, on the Pool
  const auto deployed = liquidator(key1, "deploy --config " + toml.string());
  INFO(deployed.output);
  REQUIRE(deployed.exit_code == 0);
  CHECK(deployed.output.find(key1.substr(2)) == std::string::npos);
  const auto address = Address::from_hex(last_line(deployed.output));
  REQUIRE(address.has_value());
  CHECK_FALSE(net.rpc().code(*address, "latest").value().empty());
  CHECK(net.view(*address, "owner()(address)", {})[0].as_address() == d.liquidator);
  CHECK(net.view(*address, "pool()(address)", {})[0].as_address() == d.pool);

  // withdraw: keeper.toml names the devnet's contract, which now holds 5 WETH
  const Address weth = d.asset("WETH")->token;
  const u256 five{5'000'000'000'000'000'000ULL};
  REQUIRE(net.send_as(d.liquidator, weth, "transfer(address,uint256)",
                      {abi::Value{d.liquidator_contract}, abi::Value{five}})
              .success);
  const u256 owner_weth = net.balance_of(weth, d.liquidator);
  const auto withdrawn = liquidator(key1, "withdraw --config " + toml.string() + " --token weth");
  INFO(withdrawn.output);
  REQUIRE(withdrawn.exit_code == 0);
  CHECK(withdrawn.output.find("WETH: 5000000000000000000") != std::string::npos);
  CHECK(net.balance_of(weth, d.liquidator_contract) == 0);
  CHECK(net.balance_of(weth, d.liquidator) == owner_weth + five);
  // By default every reserve and ETH: nothing is left, so nothing is sent.
  const auto nothing = liquidator(key1, "withdraw --config " + toml.string());
  INFO(nothing.output);
  CHECK(nothing.exit_code == 0);
  CHECK(nothing.output.find("ETH: nothing to withdraw") != std::string::npos);
  CHECK(nothing.output.find("USDC: nothing to withdraw") != std::string::npos);
}

TEST_CASE("keeper liquidator explains what it cannot do", "[liquidator][devnet]") {
  LiquidatorDevnet net{"errors", 2};
  const fs::path toml = net.dir() / "keeper.toml";
  const std::string text = read_text(toml);
  const std::string key1{keeper::testing::kAnvilKey1};
  const auto expect = [&](const keeper::testing::CommandResult& r, const std::string& words) {
    INFO(r.output);
    CHECK(r.exit_code != 0);
    CHECK(r.output.find(words) != std::string::npos);
    CHECK(r.output.find(key1.substr(2)) == std::string::npos);
  };

  expect(liquidator(key1, "withdraw --config " + toml.string() + " --token 0x1234"),
         "bad token address '0x1234'");
  expect(liquidator(key1, "withdraw --config " + toml.string() + " --token DOGE"),
         "unknown token 'DOGE'");
  // Without the contract the devnet's flash funding cannot work either: wallet funding here.
  const auto no_section =
      write_text(net.dir() / "no-liquidator.toml",
                 replaced(text.substr(0, text.find("\n# keeper's own liquidator contract")),
                          "funding = \"flash\"", "funding = \"wallet\"") +
                     "\n");
  expect(liquidator(key1, "withdraw --config " + no_section.string()), "no [liquidator] section");
  const auto bad_address =
      write_text(net.dir() / "bad-address.toml",
                 text.substr(0, text.find("[liquidator]")) + "[liquidator]\naddress = \"0xabc\"\n");
  expect(liquidator(key1, "withdraw --config " + bad_address.string()), "liquidator.address");
  const auto other_chain =
      write_text(net.dir() / "chain-1.toml", replaced(text, "chain_id = 31337", "chain_id = 1"));
  expect(liquidator(key1, "deploy --config " + other_chain.string()),
         "the node is on chain 31337 but the config says chain_id = 1");
  const auto no_node = write_text(
      net.dir() / "no-node.toml",
      replaced(text, "http_url = \"" + net.deployment().http_url + "\"",
               "http_url = \"http://127.0.0.1:" + std::to_string(keeper::pick_free_port().value()) +
                   "\""));
  expect(liquidator(key1, "deploy --config " + no_node.string()), "node http://127.0.0.1:");
  // Another wallet: not the owner of the devnet's contract, and without ETH to pay for gas.
  const std::string stranger = "0x" + std::string(63, '0') + "7";
  expect(liquidator(stranger, "withdraw --config " + toml.string()), "is owned by");
  expect(liquidator(stranger, "deploy --config " + toml.string()), "refuse");
  expect(liquidator(key1, "deploy"), "--config FILE is required");
}
