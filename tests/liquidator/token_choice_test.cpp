#include <catch2/catch.hpp>

#include "keeper/liquidator/token_choice.hpp"

using keeper::liquidator::choose_tokens;
using keeper::liquidator::KnownToken;

namespace {

const std::vector<KnownToken> kMarket{
    {"WETH", chain::Address::from_hex("0x5FbDB2315678afecb367f032d93F642f64180aa3").value()},
    {"USDC", chain::Address::from_hex("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512").value()}};

}  // namespace

TEST_CASE("withdraw sweeps every reserve and ETH unless told otherwise", "[liquidator]") {
  const auto all = choose_tokens({}, kMarket).value();
  REQUIRE(all.size() == 3);
  CHECK(all[0].label == "WETH");
  CHECK(all[1].token == kMarket[1].token);
  CHECK(all[2].label == "ETH");
  CHECK(all[2].token.is_zero());
}

TEST_CASE("withdraw tokens by symbol, ETH or address, once each", "[liquidator]") {
  const auto chosen = choose_tokens({"usdc", "ETH", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                                     "USDC", "0x00000000000000000000000000000000000000aa"},
                                    kMarket)
                          .value();
  REQUIRE(chosen.size() == 4);
  CHECK(chosen[0].label == "USDC");
  CHECK(chosen[1].token.is_zero());
  CHECK(chosen[2].label == "WETH");  // a known address is named by its symbol
  CHECK(chosen[3].label == "0x00000000000000000000000000000000000000AA");
}

TEST_CASE("an unknown symbol or a malformed address is refused with its reason", "[liquidator]") {
  const auto unknown = choose_tokens({"DOGE"}, kMarket);
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().find("unknown token 'DOGE'") != std::string::npos);
  CHECK(unknown.error().find("WETH USDC") != std::string::npos);
  const auto short_address = choose_tokens({"0x1234"}, kMarket);
  REQUIRE_FALSE(short_address.has_value());
  CHECK(short_address.error().find("bad token address '0x1234'") != std::string::npos);
  const auto bad_checksum = choose_tokens({"0x5fbDB2315678afecb367f032d93F642f64180aa3"}, kMarket);
  REQUIRE_FALSE(bad_checksum.has_value());
  CHECK(bad_checksum.error().find("bad token address") != std::string::npos);
}
