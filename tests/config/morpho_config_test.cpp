// A Morpho Blue [[markets]] entry: the Morpho contract, optional market Ids, start_block; and the
// errors that name file, line and key.
#include <catch2/catch.hpp>

#include "chain/hex.hpp"
#include "config/keeper_config.hpp"

using config::parse_config;

namespace {

const std::string kBase =
    "chain_id = 31337\n"                                                          // 1
    "[node]\n"                                                                    // 2
    "http_url = \"http://127.0.0.1:8545\"\n"                                      // 3
    "ws_url = \"ws://127.0.0.1:8545\"\n"                                          // 4
    "[[markets]]\n"                                                               // 5
    "protocol = \"aave-v3\"\n"                                                    // 6
    "pool_addresses_provider = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\n"  // 7
    "[[markets]]\n"                                                               // 8
    "protocol = \"morpho-blue\"\n";                                               // 9

const std::string kMorpho = "morpho = \"0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb\"\n";  // 10
const std::string kId = "0x8793cf302b8ffd655ab97bd1c695dbd967807e8367a65cb2f4edaf1380ba1bda";

}  // namespace

TEST_CASE("a morpho-blue market names its Morpho and optionally its market Ids",
          "[config][morpho]") {
  const auto all = parse_config(kBase + kMorpho + "start_block = 18883124\n", "k.toml");
  REQUIRE(all.has_value());
  REQUIRE(all->markets.size() == 2);
  const auto& m = all->markets[1];
  CHECK(m.protocol == "morpho-blue");
  CHECK(m.name == "morpho-blue");
  CHECK(m.morpho.checksummed() == "0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb");
  CHECK(m.market_ids.empty());
  CHECK(m.start_block == 18883124);
  CHECK(all->markets[0].protocol == "aave-v3");

  const auto some = parse_config(kBase + kMorpho + "market_ids = [\"" + kId + "\"]\n", "k.toml");
  REQUIRE(some.has_value());
  REQUIRE(some->markets[1].market_ids.size() == 1);
  CHECK(chain::hex_encode(some->markets[1].market_ids[0]) == kId);
}

TEST_CASE("a malformed morpho-blue entry names the line and the key", "[config][morpho]") {
  struct Row {
    const char* name;
    std::string text;
    std::size_t line;
    std::string key;
  };
  const std::vector<Row> rows{
      {"no morpho address", kBase, 8, "markets[1].morpho"},
      {"an Aave key on Morpho", kBase + kMorpho + "pool_addresses_provider = \"0x0\"\n", 11,
       "markets[1].pool_addresses_provider"},
      {"a short market Id", kBase + kMorpho + "market_ids = [\"0x1234\"]\n", 11,
       "markets[1].market_ids"},
      {"a bad checksum", kBase + "morpho = \"0xbBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb\"\n", 10,
       "markets[1].morpho"},
      {"another protocol", kBase.substr(0, kBase.size() - 25) + "protocol = \"compound\"\n", 9,
       "markets[1].protocol"},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    const auto c = parse_config(r.text, "k.toml");
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().source == "k.toml");
    CHECK(c.error().key == r.key);
    CHECK(c.error().line == r.line);
  }
}
