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

}  // namespace

TEST_CASE("[submission] reads MEV-Share streams, endpoints, block range and bid share",
          "[config][submission][ofa]") {
  const auto plain = parse_config(kBase, "k.toml");
  REQUIRE(plain.has_value());
  CHECK(plain->submission.mev_share_streams.empty());
  CHECK(plain->submission.mev_share_endpoints.empty());
  CHECK(plain->submission.mev_share_blocks == 3);
  CHECK_FALSE(plain->submission.mev_share_bid_share);

  const auto ofa = parse_config(kBase +
                                    "[submission]\n"
                                    "mev_share_streams = [\"https://mev-share.flashbots.net\"]\n"
                                    "mev_share_endpoints = [\"http://127.0.0.1:18546\"]\n"
                                    "searcher_key_env = \"KEEPER_SEARCHER_KEY\"\n"
                                    "mev_share_blocks = 2\n"
                                    "mev_share_bid_share = 0.9\n",
                                "k.toml");
  INFO((ofa ? std::string{} : ofa.error().to_string()));
  REQUIRE(ofa.has_value());
  CHECK(ofa->submission.mev_share_streams ==
        std::vector<std::string>{"https://mev-share.flashbots.net"});
  CHECK(ofa->submission.mev_share_endpoints == std::vector<std::string>{"http://127.0.0.1:18546"});
  CHECK(ofa->submission.mev_share_blocks == 2);
  CHECK(ofa->submission.mev_share_bid_share == 0.9);
  CHECK(ofa->submission.mode == "public");  // the auction path is independent of the mode
}

TEST_CASE("a bad MEV-Share setting names the file, line and key", "[config][submission][ofa]") {
  struct Row {
    const char* name;
    std::string text;
    std::size_t line;
    std::string key;
    std::string says;
  };
  const std::string header = "[submission]\n";  // line 8
  const std::string key = "searcher_key_env = \"SEARCHER\"\n";
  const std::vector<Row> rows{
      {"a stream that is not a URL", header + "mev_share_streams = [\"mev-share.flashbots.net\"]\n",
       9, "submission.mev_share_streams", "URL must start with http:// or https://"},
      {"a CA file that is not there",
       header + key + "mev_share_endpoints = [\"https://relay.flashbots.net\"]\n" +
           "tls_ca_file = \"/nonexistent/ca.pem\"\n",
       11, "submission.tls_ca_file", "is not a readable file"},
      {"endpoints without a searcher key",
       header + "mev_share_endpoints = [\"http://127.0.0.1:1\"]\n", 8,
       "submission.searcher_key_env", "searcher key"},
      {"a block range of 0", header + "mev_share_blocks = 0\n", 9, "submission.mev_share_blocks",
       "between 1 and 25"},
      {"a bid share above 1", header + "mev_share_bid_share = 1.5\n", 9,
       "submission.mev_share_bid_share", "at most 1"},
      {"streams not a list", header + "mev_share_streams = \"https://x\"\n", 9,
       "submission.mev_share_streams", "wrong type"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const auto result = parse_config(kBase + row.text, "k.toml");
    REQUIRE_FALSE(result.has_value());
    const auto text = result.error().to_string();
    INFO(text);
    CHECK(result.error().line == row.line);
    CHECK(result.error().key == row.key);
    CHECK(text.find(row.says) != std::string::npos);
  }
}
