#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "config/keeper_config.hpp"
#include "keeper/commands/node_connection.hpp"

TEST_CASE("a start_block past the node's head refuses to start, naming file and line",
          "[config][start_block]") {
  const auto make_config = [](const std::string& start_blocks) {
    std::string text =
        "chain_id = 31337\n[node]\nhttp_url = \"http://127.0.0.1:8545\"\n"
        "ws_url = \"ws://127.0.0.1:8545\"\n";
    text += start_blocks;
    return config::parse_config(text, "keeper.toml").value();
  };
  const std::string market =
      "[[markets]]\nprotocol = \"aave-v3\"\n"
      "pool_addresses_provider = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\n";
  struct Row {
    const char* name;
    std::string markets;
    std::uint64_t head;
    std::string error;  // empty: accepted
  };
  // A second, distinct market (the same one twice is refused as a duplicate).
  const std::string other =
      "[[markets]]\nprotocol = \"aave-v3\"\nname = \"other\"\n"
      "pool_addresses_provider = \"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512\"\n";
  const std::vector<Row> rows{
      {"no start_block", market, 100, ""},
      {"at the head", market + "start_block = 100\n", 100, ""},
      {"one past the head", market + "start_block = 101\n", 100,
       "keeper.toml:8: markets[0].start_block = 101 is past block 100"},
      {"the second market past the head",
       market + "start_block = 5\n" + other + "start_block = 5000000\n", 100,
       "keeper.toml:13: markets[1].start_block = 5000000 is past block 100"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto checked = keeper::check_start_blocks(make_config(row.markets), row.head);
    if (row.error.empty()) {
      CHECK(checked.has_value());
    } else {
      REQUIRE_FALSE(checked.has_value());
      CHECK_THAT(checked.error(),
                 Catch::StartsWith(row.error) && Catch::Contains("refusing to start"));
    }
  }
}
