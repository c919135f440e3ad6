// One daemon follows every [[markets]] entry once: a market configured twice (the same Aave
// provider, the same Morpho markets, or a name already taken, which labels logs and metrics) is
// refused with the entry and the earlier one it repeats.
#include <catch2/catch.hpp>

#include <optional>

#include "config/keeper_config.hpp"

using config::parse_config;

namespace {

const std::string kHead =
    "chain_id = 31337\n"
    "[node]\n"
    "http_url = \"http://127.0.0.1:8545\"\n"
    "ws_url = \"ws://127.0.0.1:8545\"\n";
const std::string kProviderA = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const std::string kProviderB = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const std::string kMorpho = "0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb";
const std::string kId1 = "0x8793cf302b8ffd655ab97bd1c695dbd967807e8367a65cb2f4edaf1380ba1bda";
const std::string kId2 = "0xb323495f7e4148be5643a4ea4a8221eef163e4bccfdedc2a6f4696baacbc86cc";

std::string aave(const std::string& name, const std::string& provider) {
  return "[[markets]]\nprotocol = \"aave-v3\"\nname = \"" + name +
         "\"\npool_addresses_provider = \"" + provider + "\"\n";
}

std::string morpho(const std::string& name, const std::vector<std::string>& ids) {
  std::string out = "[[markets]]\nprotocol = \"morpho-blue\"\nname = \"" + name +
                    "\"\nmorpho = \"" + kMorpho + "\"\n";
  if (!ids.empty()) {
    out += "market_ids = [";
    for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? ", \"" : "\"") + ids[i] + "\"";
    out += "]\n";
  }
  return out;
}

}  // namespace

TEST_CASE("distinct markets of both protocols load in their order", "[config][markets]") {
  const auto c = parse_config(kHead + aave("main", kProviderA) + aave("lido", kProviderB) +
                                  morpho("m1", {kId1}) + morpho("m2", {kId2}),
                              "k.toml");
  REQUIRE(c.has_value());
  REQUIRE(c->markets.size() == 4);
  CHECK(c->markets[0].name == "main");
  CHECK(c->markets[1].name == "lido");
  CHECK(c->markets[2].market_ids.size() == 1);
  CHECK(c->markets[3].name == "m2");
}

TEST_CASE("a market configured twice is refused, naming both entries", "[config][markets]") {
  struct Row {
    const char* name;
    std::string markets;
    std::string key;
    std::string says;
  };
  const std::vector<Row> rows{
      {"the same Aave provider", aave("a", kProviderA) + aave("b", kProviderA), "markets[1]",
       "the same Aave market (pool_addresses_provider " + kProviderA + ") as markets[0]"},
      {"a name taken", aave("a", kProviderA) + morpho("a", {}), "markets[1]",
       "the name 'a' is already markets[0]'s"},
      {"two unnamed Aave markets", aave("aave-v3", kProviderA) + aave("aave-v3", kProviderB),
       "markets[1]", "the name 'aave-v3' is already markets[0]'s"},
      {"every Morpho market, then one of them", morpho("all", {}) + morpho("one", {kId1}),
       "markets[1]", "is already followed by markets[0] (every market of it)"},
      {"one Morpho market, then every one", morpho("one", {kId1}) + morpho("all", {}), "markets[1]",
       "is already followed by markets[0]"},
      {"a Morpho market Id twice",
       aave("x", kProviderA) + morpho("one", {kId1, kId2}) + morpho("two", {kId2}), "markets[2]",
       "Morpho market " + kId2 + " is already followed by markets[1]"},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    const auto c = parse_config(kHead + r.markets, "k.toml");
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().source == "k.toml");
    CHECK(c.error().key == r.key);
    INFO(c.error().message);
    CHECK(c.error().message.find(r.says) != std::string::npos);
  }
}

TEST_CASE("a market can be watched without being executed", "[config][markets]") {
  struct Row {
    const char* what;
    std::string extra;
    std::optional<bool> execute;  // nullopt: refused
  };
  const Row rows[] = {
      {"executed by default", "", true},
      {"watched", "execute = false\n", false},
      {"executed, said so", "execute = true\n", true},
      {"not a boolean", "execute = \"no\"\n", std::nullopt},
  };
  for (const auto& r : rows) {
    INFO(r.what);
    const auto cfg = parse_config(kHead + morpho("m", {kId1}) + r.extra, "keeper.toml");
    REQUIRE(cfg.has_value() == r.execute.has_value());
    if (cfg) CHECK(cfg->markets.at(0).execute == *r.execute);
  }
}
