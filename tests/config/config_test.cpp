#include <catch2/catch.hpp>

#include "config/keeper_config.hpp"
#include "keeper/process/source_dir.hpp"

using config::load_config_file;
using config::parse_config;

TEST_CASE("the shipped example configs load", "[config]") {
  for (const char* name : {"devnet.toml", "mainnet-aave-v3.toml"}) {
    CAPTURE(name);
    auto c = load_config_file(::keeper::process::source_dir() + "/config/examples/" + name);
    INFO((c ? std::string{} : c.error().to_string()));
    REQUIRE(c.has_value());
    REQUIRE(c->markets.size() == 1);
    CHECK(c->markets[0].protocol == "aave-v3");
  }
  auto mainnet =
      load_config_file(::keeper::process::source_dir() + "/config/examples/mainnet-aave-v3.toml")
          .value();
  CHECK(mainnet.chain_id == 1);
  CHECK(mainnet.markets[0].pool_addresses_provider.checksummed() ==
        "0x2f39d218133AFaB8F2B819B1066c7E434Ad94E9e");
  CHECK(mainnet.strategy.max_fee_per_gas_wei == chain::u256{150'000'000'000ULL});
  CHECK(mainnet.wallet->keystore.has_value());
  REQUIRE(mainnet.metrics.has_value());
  CHECK(mainnet.metrics->port == 9464);
  CHECK(mainnet.metrics->max_head_lag_seconds == 60.0);
  REQUIRE(mainnet.state.has_value());
  CHECK(mainnet.state->snapshot_path == "/var/lib/keeper/state.json");
  CHECK(mainnet.state->snapshot_every_blocks == 25);
  CHECK_FALSE(mainnet.dex.has_value());
  const auto devnet =
      load_config_file(::keeper::process::source_dir() + "/config/examples/devnet.toml").value();
  REQUIRE(devnet.dex.has_value());
  CHECK(devnet.dex->uniswap_v3_router.checksummed() ==
        "0xdbC43Ba45381e02825b14322cDdd15eC4B3164E6");
}

TEST_CASE("malformed configs name the line and the key", "[config]") {
  const std::string base =
      "chain_id = 31337\n"                                                           // 1
      "[node]\n"                                                                     // 2
      "http_url = \"http://127.0.0.1:8545\"\n"                                       // 3
      "ws_url = \"ws://127.0.0.1:8545\"\n"                                           // 4
      "[[markets]]\n"                                                                // 5
      "protocol = \"aave-v3\"\n"                                                     // 6
      "pool_addresses_provider = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\n";  // 7
  REQUIRE(parse_config(base, "k.toml").has_value());
  struct Row {
    const char* name;
    std::string text;
    std::size_t line;
    std::string key;
  };
  const std::vector<Row> rows{
      {"missing chain_id", base.substr(base.find('\n') + 1), 0, "chain_id"},
      {"chain_id of the wrong type", "chain_id = \"one\"\n" + base.substr(base.find('\n') + 1), 1,
       "chain_id"},
      {"bad checksum",
       base.substr(0, base.size() - 44) + "0x5fbDB2315678afecb367f032d93F642f64180aa3\"\n", 7,
       "markets[0].pool_addresses_provider"},
      {"unknown key", base + "[strategy]\nmin_proft_usd = 1.0\n", 9, "strategy.min_proft_usd"},
      {"negative profit", base + "[strategy]\nmin_profit_usd = -1.0\n", 9,
       "strategy.min_profit_usd"},
      {"ws_url with http scheme",
       "chain_id = 1\n[node]\nhttp_url = \"http://a\"\nws_url = \"http://a\"\n", 4, "node.ws_url"},
      {"both key sources",
       base + "[wallet]\nprivate_key_env = \"K\"\nkeystore = \"k.json\"\npassword_env = \"P\"\n", 8,
       "wallet"},
      {"flash-loan funding", base + "[strategy]\nfunding = \"flash-loan\"\n", 9,
       "strategy.funding"},
      {"flash funding without the contract", base + "[strategy]\nfunding = \"flash\"\n", 9,
       "strategy.funding"},
      {"contract funding without the contract", base + "[strategy]\nfunding = \"contract\"\n", 9,
       "strategy.funding"},
      {"flash funding without the DEX",
       base + "[strategy]\nfunding = \"flash\"\n[liquidator]\naddress = "
              "\"0x5fbdb2315678afecb367f032d93f642f64180aa3\"\n",
       9, "strategy.funding"},
      {"gwei with 10 decimals", base + "[strategy]\nmax_fee_per_gas_gwei = \"1.0000000001\"\n", 9,
       "strategy.max_fee_per_gas_gwei"},
      {"bad TOML syntax", base + "[strategy\n", 8, ""},
      {"metrics port out of range", base + "[metrics]\nport = 70000\n", 9, "metrics.port"},
      {"metrics lag of zero", base + "[metrics]\nmax_head_lag_seconds = 0.0\n", 9,
       "metrics.max_head_lag_seconds"},
      {"state without a path", base + "[state]\nsnapshot_every_blocks = 10\n", 8,
       "state.snapshot_path"},
      {"snapshot every 0 blocks",
       base + "[state]\nsnapshot_path = \"s.json\"\nsnapshot_every_blocks = 0\n", 10,
       "state.snapshot_every_blocks"},
      {"unknown metrics key", base + "[metrics]\nlisten = \"0.0.0.0\"\n", 9, "metrics.listen"},
      {"liquidator address too short", base + "[liquidator]\naddress = \"0x1234\"\n", 9,
       "liquidator.address"},
      {"liquidator address with a bad checksum",
       base + "[liquidator]\naddress = \"0x5fbDB2315678afecb367f032d93F642f64180aa3\"\n", 9,
       "liquidator.address"},
      {"liquidator without an address", base + "[liquidator]\n", 8, "liquidator.address"},
      {"unknown liquidator key", base + "[liquidator]\nowner = \"me\"\n", 9, "liquidator.owner"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    auto c = parse_config(row.text, "k.toml");
    REQUIRE_FALSE(c.has_value());
    INFO(c.error().to_string());
    CHECK(c.error().key == row.key);
    if (row.line != 0) CHECK(c.error().line == row.line);
    CHECK(c.error().to_string().rfind("k.toml", 0) == 0);
  }
}

TEST_CASE("the liquidator contract is optional and read from [liquidator]", "[config]") {
  const std::string base =
      "chain_id = 31337\n[node]\nhttp_url = \"http://127.0.0.1:8545\"\n"
      "ws_url = \"ws://127.0.0.1:8545\"\n[[markets]]\nprotocol = \"aave-v3\"\n"
      "pool_addresses_provider = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\n";
  CHECK_FALSE(parse_config(base, "k.toml").value().liquidator.has_value());
  const auto c = parse_config(
      base + "[liquidator]\naddress = \"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512\"\n", "k.toml");
  INFO((c ? std::string{} : c.error().to_string()));
  REQUIRE(c.has_value());
  REQUIRE(c->liquidator.has_value());
  CHECK(c->liquidator->address.checksummed() == "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
}

TEST_CASE("decimal amounts convert to wei exactly", "[config]") {
  CHECK(config::decimal_to_units("0.5", 18).value() == chain::u256{500'000'000'000'000'000ULL});
  CHECK(config::decimal_to_units("1.000000001", 9).value() == chain::u256{1'000'000'001ULL});
  CHECK_FALSE(config::decimal_to_units("1.0000000001", 9).has_value());
  CHECK_FALSE(config::decimal_to_units("-1", 9).has_value());
  CHECK_FALSE(config::decimal_to_units("1.", 9).has_value());
  CHECK_FALSE(config::decimal_to_units("", 9).has_value());
}
