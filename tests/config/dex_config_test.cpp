// The [dex] section: Uniswap V3 addresses for flash liquidations, optional, every address checked.
#include <catch2/catch.hpp>

#include "config/keeper_config.hpp"

using config::parse_config;

namespace {

const std::string kBase =
    "chain_id = 31337\n"                                                           // 1
    "[node]\n"                                                                     // 2
    "http_url = \"http://127.0.0.1:8545\"\n"                                       // 3
    "ws_url = \"ws://127.0.0.1:8545\"\n"                                           // 4
    "[[markets]]\n"                                                                // 5
    "protocol = \"aave-v3\"\n"                                                     // 6
    "pool_addresses_provider = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\n";  // 7

// Mainnet's Uniswap V3 factory, SwapRouter and QuoterV2, checksummed.
const std::string kFactory = "0x1F98431c8aD98523631AE4a59f267346ea31F984";
const std::string kRouter = "0xE592427A0AEce92De3Edee1F18E0157C05861564";
const std::string kQuoter = "0x61fFE014bA17989E743c5F6cB21bF9697530B21e";

std::string dex(const std::string& body) { return kBase + "[dex]\n" + body; }  // [dex] is line 8

}  // namespace

TEST_CASE("[dex] is optional and names the Uniswap V3 contracts", "[config]") {
  CHECK_FALSE(parse_config(kBase, "k.toml").value().dex.has_value());

  const auto full =
      parse_config(dex("uniswap_v3_factory = \"" + kFactory + "\"\nuniswap_v3_router = \"" +
                       kRouter + "\"\nuniswap_v3_quoter = \"" + kQuoter + "\"\n"),
                   "k.toml");
  INFO((full ? std::string{} : full.error().to_string()));
  REQUIRE(full.has_value());
  REQUIRE(full->dex.has_value());
  CHECK(full->dex->uniswap_v3_factory.checksummed() == kFactory);
  CHECK(full->dex->uniswap_v3_router.checksummed() == kRouter);
  REQUIRE(full->dex->uniswap_v3_quoter.has_value());
  CHECK(full->dex->uniswap_v3_quoter->checksummed() == kQuoter);

  // The quoter only cross-checks local quotes: a config without it is complete.
  const auto no_quoter = parse_config(
      dex("uniswap_v3_factory = \"" + kFactory + "\"\nuniswap_v3_router = \"" + kRouter + "\"\n"),
      "k.toml");
  REQUIRE(no_quoter.has_value());
  REQUIRE(no_quoter->dex.has_value());
  CHECK_FALSE(no_quoter->dex->uniswap_v3_quoter.has_value());
}

TEST_CASE("a malformed [dex] names the line and the key", "[config]") {
  const std::string factory = "uniswap_v3_factory = \"" + kFactory + "\"\n";  // line 9
  const std::string router = "uniswap_v3_router = \"" + kRouter + "\"\n";     // line 9 or 10
  struct Row {
    const char* name;
    std::string text;
    std::size_t line;
    std::string key;
    std::string message_part;
  };
  const std::vector<Row> rows{
      {"no router", dex(factory), 8, "dex.uniswap_v3_router", "is required"},
      {"no factory", dex(router), 8, "dex.uniswap_v3_factory", "is required"},
      {"factory too short", dex("uniswap_v3_factory = \"0x1f98\"\n" + router), 9,
       "dex.uniswap_v3_factory", ""},
      {"router with a bad checksum",
       dex(factory + "uniswap_v3_router = \"0xe592427A0AEce92De3Edee1F18E0157C05861564\"\n"), 10,
       "dex.uniswap_v3_router", "checksum"},
      {"zero quoter",
       dex(factory + router +
           "uniswap_v3_quoter = \"0x0000000000000000000000000000000000000000\"\n"),
       11, "dex.uniswap_v3_quoter", "zero address"},
      {"quoter not a string", dex(factory + router + "uniswap_v3_quoter = 42\n"), 11,
       "dex.uniswap_v3_quoter", "wrong type"},
      {"unknown key", dex(factory + router + "uniswap_v2_router = \"" + kRouter + "\"\n"), 11,
       "dex.uniswap_v2_router", "unknown key"},
      {"dex not a table", "dex = 1\n" + kBase, 1, "dex", "must be a table"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto c = parse_config(row.text, "k.toml");
    REQUIRE_FALSE(c.has_value());
    INFO(c.error().to_string());
    CHECK(c.error().key == row.key);
    CHECK(c.error().line == row.line);
    CHECK(c.error().message.find(row.message_part) != std::string::npos);
    CHECK(c.error().to_string().rfind("k.toml:" + std::to_string(row.line), 0) == 0);
  }
}
