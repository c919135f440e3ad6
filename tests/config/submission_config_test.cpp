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

TEST_CASE("[submission] defaults to the public mempool and reads bundle settings",
          "[config][submission]") {
  const auto plain = parse_config(kBase, "k.toml");
  REQUIRE(plain.has_value());
  CHECK(plain->submission.mode == "public");
  CHECK(plain->submission.builders.empty());

  const auto bundles = parse_config(kBase +
                                        "[submission]\n"
                                        "mode = \"both\"\n"
                                        "builders = [\"http://127.0.0.1:18545\", "
                                        "\"http://builder.example:8080/relay?key=a\"]\n"
                                        "searcher_key_env = \"KEEPER_SEARCHER_KEY\"\n"
                                        "builder_timeout_ms = 750\n"
                                        "bundle_blocks = 5\n",
                                    "k.toml");
  INFO((bundles ? std::string{} : bundles.error().to_string()));
  REQUIRE(bundles.has_value());
  CHECK(bundles->submission.mode == "both");
  CHECK(bundles->submission.builders ==
        std::vector<std::string>{"http://127.0.0.1:18545",
                                 "http://builder.example:8080/relay?key=a"});
  CHECK(bundles->submission.searcher_key_env == "KEEPER_SEARCHER_KEY");
  CHECK(bundles->submission.builder_timeout_ms == 750);
  CHECK(bundles->submission.bundle_blocks == 5);
}

TEST_CASE("a bad [submission] names the file, line and key", "[config][submission]") {
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
      {"unknown mode", header + "mode = \"private\"\n", 9, "submission.mode",
       "'private' is not one of public, bundle, both"},
      {"bundle without builders", header + "mode = \"bundle\"\n" + key, 8, "submission.builders",
       "needs at least one builder"},
      {"both with an empty list", header + "mode = \"both\"\nbuilders = []\n" + key, 8,
       "submission.builders", "needs at least one builder"},
      {"bundle without a searcher key",
       header + "mode = \"bundle\"\nbuilders = [\"http://127.0.0.1:1\"]\n", 8,
       "submission.searcher_key_env", "searcher key"},
      {"not a URL", header + "builders = [\"127.0.0.1:8545\"]\n", 9, "submission.builders",
       "'127.0.0.1:8545': URL must start with http:// or https://"},
      {"bad port", header + "builders = [\"http://127.0.0.1:99999\"]\n", 9, "submission.builders",
       "bad port"},
      {"no host", header + "builders = [\"http://:80/\"]\n", 9, "submission.builders", "no host"},
      {"a CA file that is a directory",
       header + "builders = [\"https://relay.flashbots.net\"]\ntls_ca_file = \"/tmp\"\n", 10,
       "submission.tls_ca_file", "'/tmp' is not a readable file"},
      {"builders not a list", header + "builders = \"http://127.0.0.1:1\"\n", 9,
       "submission.builders", "wrong type"},
      {"bad env name", header + "searcher_key_env = \"my key\"\n", 9, "submission.searcher_key_env",
       "environment variable name"},
      {"timeout too small", header + "builder_timeout_ms = 1\n", 9, "submission.builder_timeout_ms",
       "between 50 and 60000"},
      {"unknown key", header + "relay = \"x\"\n", 9, "submission.relay", "unknown key"},
      {"the wallet's key as searcher key",
       "[wallet]\nprivate_key_env = \"KEY\"\n[submission]\nsearcher_key_env = \"KEY\"\n", 11,
       "submission.searcher_key_env", "holds no funds"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const auto c = parse_config(kBase + row.text, "k.toml");
    REQUIRE_FALSE(c.has_value());
    INFO(c.error().to_string());
    CHECK(c.error().source == "k.toml");
    CHECK(c.error().line == row.line);
    CHECK(c.error().key == row.key);
    CHECK(c.error().message.find(row.says) != std::string::npos);
  }
}
