#include <catch2/catch.hpp>

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
    "[standby]\n";                                                                // 8

}  // namespace

TEST_CASE("[standby] reads the pair's store and lease, with defaults", "[config][standby]") {
  const auto none = parse_config(kBase.substr(0, kBase.find("[standby]")), "k.toml");
  REQUIRE(none.has_value());
  CHECK_FALSE(none->standby.has_value());

  const auto plain = parse_config(kBase + "redis_url = \"redis://127.0.0.1:6379\"\n", "k.toml");
  INFO((plain ? std::string{} : plain.error().to_string()));
  REQUIRE(plain.has_value());
  REQUIRE(plain->standby.has_value());
  CHECK(plain->standby->redis_url == "redis://127.0.0.1:6379");
  CHECK(plain->standby->lease_ms == 3000);
  CHECK(plain->standby->timeout_ms == 250);
  CHECK(plain->standby->name == "keeper");

  const auto full = parse_config(kBase +
                                     "redis_url = \"redis://10.0.0.5:6380/1\"\n"
                                     "lease_ms = 6000\ntimeout_ms = 500\nname = \"keeper-b\"\n",
                                 "k.toml");
  REQUIRE(full.has_value());
  CHECK(full->standby->lease_ms == 6000);
  CHECK(full->standby->timeout_ms == 500);
  CHECK(full->standby->name == "keeper-b");
}

TEST_CASE("a malformed [standby] names its line and key", "[config][standby]") {
  struct Row {
    std::string text;
    std::size_t line;
    std::string key;
    std::string says;
  };
  const std::vector<Row> rows = {
      {"lease_ms = 3000\n", 8, "standby.redis_url", "required"},
      {"redis_url = \"http://127.0.0.1:6379\"\n", 9, "standby.redis_url", "redis://"},
      {"redis_url = \"redis://h\"\nlease_ms = 100\n", 10, "standby.lease_ms", "between 300"},
      {"redis_url = \"redis://h\"\ntimeout_ms = 0\n", 10, "standby.timeout_ms", "between 10"},
      {"redis_url = \"redis://h\"\nlease_ms = 600\ntimeout_ms = 300\n", 8, "standby.timeout_ms",
       "third of lease_ms"},
      {"redis_url = \"redis://h\"\nname = \"\"\n", 10, "standby.name", "1-64"},
      {"redis_url = \"redis://h\"\nleader = true\n", 10, "standby.leader", ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    const auto c = parse_config(kBase + row.text, "k.toml");
    REQUIRE_FALSE(c.has_value());
    INFO(c.error().to_string());
    CHECK(c.error().key == row.key);
    CHECK(c.error().message.find(row.says) != std::string::npos);
    if (row.line != 0) CHECK(c.error().line == row.line);
  }
}
