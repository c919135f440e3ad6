// node.head_poll_ms: how often heads are polled over HTTP while the WebSocket is down.
#include <catch2/catch.hpp>

#include "config/keeper_config.hpp"

using config::parse_config;

TEST_CASE("node.head_poll_ms defaults to one second and is bounded", "[config]") {
  const std::string head =
      "chain_id = 31337\n"
      "[node]\n"
      "http_url = \"http://127.0.0.1:8545\"\n"
      "ws_url = \"ws://127.0.0.1:8545\"\n";
  const std::string market =
      "[[markets]]\n"
      "protocol = \"aave-v3\"\n"
      "pool_addresses_provider = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\n";
  CHECK(parse_config(head + market, "k.toml").value().node.head_poll_ms == 1000);
  CHECK(parse_config(head + "head_poll_ms = 250\n" + market, "k.toml").value().node.head_poll_ms ==
        250);
  for (const char* bad :
       {"head_poll_ms = 10\n", "head_poll_ms = 700000\n", "head_poll_ms = \"fast\"\n"}) {
    CAPTURE(bad);
    const auto c = parse_config(head + bad + market, "k.toml");
    REQUIRE_FALSE(c.has_value());
    CHECK_THAT(c.error().to_string(), Catch::Contains("node.head_poll_ms"));
    CHECK_THAT(c.error().to_string(), Catch::Contains("k.toml:5"));
  }
}
