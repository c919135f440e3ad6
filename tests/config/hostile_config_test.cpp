// Configs written to break the loader: nesting that would exhaust the parser's stack, integers the
// TOML parser would silently cap. Each is a clear error naming the file and line.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "config/keeper_config.hpp"
#include "config/toml_nesting.hpp"

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

std::string repeated(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("deeply nested TOML is refused before parsing, with its line", "[config][hostile]") {
  struct Row {
    const char* name;
    std::string text;
    std::size_t line;
  };
  const std::vector<Row> rows{
      {"8000 nested arrays (issue 17)", kBase + "zz = " + repeated("[", 8000) + "\n", 8},
      {"nested arrays, closed", kBase + "zz = " + repeated("[", 400) + repeated("]", 400) + "\n",
       8},
      {"nested inline tables",
       kBase + "zz = " + repeated("{a = ", 400) + "1" + repeated("}", 400) + "\n", 8},
      {"a dotted key 8000 deep", kBase + repeated("a.", 8000) + "b = 1\n", 8},
      {"a table header 8000 deep", kBase + "[" + repeated("a.", 8000) + "b]\n", 8},
      {"an array of tables 8000 deep", kBase + "[[" + repeated("a.", 8000) + "b]]\n", 8},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto c = parse_config(row.text, "deep.toml");
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().line == row.line);
    CHECK_THAT(c.error().to_string(), Catch::StartsWith("deep.toml:" + std::to_string(row.line)) &&
                                          Catch::Contains("nests deeper than"));
  }
}

TEST_CASE("brackets and dots inside strings and comments do not count as nesting",
          "[config][hostile]") {
  const std::string deep = repeated("[{.", 100);
  const std::vector<std::string> texts{
      "a = \"" + deep + "\"\n",
      "a = '" + deep + "'\n",
      "a = \"\"\"\n" + deep + "\n\"\"\"\n",
      "a = '''\n" + deep + "\n'''\n",
      "# " + deep + "\n",
      "a = \"\\\"" + deep + "\"\n",  // an escaped quote does not end the string
      "a = [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5, 13.5, 14.5, 15.5, "
      "16.5, 17.5, 18.5, 19.5, 20.5, 21.5, 22.5, 23.5, 24.5, 25.5, 26.5, 27.5, 28.5, 29.5, 30.5, "
      "31.5, 32.5, 33.5]\n",  // dots in values are not keys
  };
  for (const auto& text : texts) {
    CAPTURE(text);
    CHECK(config::check_toml_nesting(text).has_value());
  }
  CHECK(config::check_toml_nesting(repeated("[", config::kMaxTomlNesting)).has_value());
  CHECK_FALSE(config::check_toml_nesting(repeated("[", config::kMaxTomlNesting + 1)).has_value());
}

TEST_CASE("text that is not UTF-8 is refused before parsing, with its line", "[config][hostile]") {
  struct Row {
    const char* name;
    std::string text;
    std::size_t line;
  };
  const std::vector<Row> rows{
      // toml11 3.7 reads out of bounds reporting this one (found by fuzz/config_fuzz.cpp).
      {"an invalid byte in a literal string key", kBase + "'z\xb0(i' = 1\n", 8},
      {"an invalid byte in a basic string", kBase + "name = \"a\xff\"\n", 8},
      {"an overlong slash", kBase + "name = \"\xc0\xaf\"\n", 8},
      {"a UTF-16 surrogate", kBase + "name = \"\xed\xa0\x80\"\n", 8},
      {"a truncated sequence at the end", kBase + "name = \"\xe2\x82", 8},
      {"above U+10FFFF", "# \xf4\x90\x80\x80\n" + kBase, 1},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto c = parse_config(row.text, "bytes.toml");
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().line == row.line);
    CHECK_THAT(c.error().message, Catch::Contains("not valid UTF-8"));
  }
  // Well-formed UTF-8 (here in a comment and a market name) is read as before.
  const auto ok = parse_config(
      "# caf\xc3\xa9 \xf0\x9f\x94\x91\n" + kBase + "name = \"\xe2\x82\xac\"\n", "bytes.toml");
  INFO((ok ? std::string{} : ok.error().to_string()));
  CHECK(ok.has_value());
}

TEST_CASE("integers the TOML parser would cap are errors naming file, line and key",
          "[config][hostile]") {
  const std::string rest = kBase.substr(kBase.find('\n') + 1);
  struct Row {
    const char* name;
    std::string text;
    std::size_t line;
    std::string key;
  };
  const std::vector<Row> rows{
      {"chain_id 2^64 + 1 (issue 17)", "chain_id = 18446744073709551617\n" + rest, 1, "chain_id"},
      {"chain_id 2^63", "chain_id = 9223372036854775808\n" + rest, 1, "chain_id"},
      {"chain_id with underscores", "chain_id = 9_223_372_036_854_775_808\n" + rest, 1, "chain_id"},
      {"chain_id in hex", "chain_id = 0x8000000000000000\n" + rest, 1, "chain_id"},
      {"chain_id in binary (would wrap)", "chain_id = 0b1" + std::string(64, '0') + "\n" + rest, 1,
       "chain_id"},
      {"start_block", kBase + "start_block = 99999999999999999999\n", 8, "markets[0].start_block"},
      {"a metrics port", kBase + "[metrics]\nport = -99999999999999999999\n", 9, "metrics.port"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto c = parse_config(row.text, "big.toml");
    REQUIRE_FALSE(c.has_value());
    INFO(c.error().to_string());
    CHECK(c.error().line == row.line);
    CHECK(c.error().key == row.key);
    CHECK_THAT(c.error().message, Catch::Contains("64-bit"));
  }
  // The largest that fits is still read exactly (and then judged by the key's own rules).
  const auto max = parse_config("chain_id = 9223372036854775807\n" + rest, "big.toml");
  REQUIRE(max.has_value());
  CHECK(max->chain_id == 9223372036854775807ULL);
}

TEST_CASE("binary literals past 63 bits reach the TOML parser as an oversized decimal",
          "[config][hostile]") {
  // toml11 reads 0b literals with a signed overflow past 63 bits (undefined behaviour, caught by
  // UBSan); decimal ones saturate, and the loader refuses them by their source text.
  const std::string long_bits = "0b1" + std::string(63, '0');  // 2^63: one bit too many
  const std::string fits = "0b" + std::string(63, '1');        // 2^63 - 1
  struct Row {
    const char* name;
    std::string text;
    std::string expected;
  };
  const std::vector<Row> rows{
      {"a value", "a = " + long_bits + "\n", "a = 99999999999999999999\n"},
      {"in an array, twice", "a = [" + long_bits + ", " + long_bits + "]\n",
       "a = [99999999999999999999, 99999999999999999999]\n"},
      {"with underscores and leading zeros that do not count", "a = 0b000_" + fits + "\n",
       "a = 0b000_" + fits + "\n"},
      {"in a string", "a = \"" + long_bits + "\"\n", "a = \"" + long_bits + "\"\n"},
      {"in a comment", "a = 1 # " + long_bits + "\n", "a = 1 # " + long_bits + "\n"},
      {"in a key", long_bits + " = 1\n", long_bits + " = 1\n"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    CHECK(config::widen_long_binary_literals(row.text) == row.expected);
  }
}
