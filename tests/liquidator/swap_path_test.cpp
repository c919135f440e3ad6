#include <catch2/catch.hpp>

#include "chain/hex.hpp"
#include "keeper/liquidator/swap_path.hpp"

using keeper::liquidator::encode_swap_path;
using keeper::liquidator::SwapHop;
using keeper::liquidator::SwapPathError;

namespace {

// Mainnet WETH, USDC and DAI: the path of a WETH -> USDC -> DAI sale.
const chain::Address kWeth =
    chain::Address::from_hex("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2").value();
const chain::Address kUsdc =
    chain::Address::from_hex("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48").value();
const chain::Address kDai =
    chain::Address::from_hex("0x6B175474E89094C44Da98b954EedeAC495271d0F").value();

}  // namespace

TEST_CASE("Uniswap V3 paths pack token, fee, token", "[liquidator]") {
  struct Row {
    const char* name;
    std::vector<SwapHop> hops;
    std::string hex;
  };
  const std::vector<Row> rows{
      {"one hop, 0.05%",
       {{500, kUsdc}},
       "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
       "0001f4"
       "a0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"},
      {"two hops, 0.3% then 0.01%",
       {{3000, kUsdc}, {100, kDai}},
       "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
       "000bb8"
       "a0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
       "000064"
       "6b175474e89094c44da98b954eedeac495271d0f"},
      {"the largest uint24 fee",
       {{0xffffff, kDai}},
       "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
       "ffffff"
       "6b175474e89094c44da98b954eedeac495271d0f"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto path = encode_swap_path(kWeth, row.hops);
    REQUIRE(path.has_value());
    CHECK(path->size() == 20 + 23 * row.hops.size());
    CHECK(chain::hex_encode(*path) == row.hex);
  }
}

TEST_CASE("a path that names no pool is refused", "[liquidator]") {
  struct Row {
    const char* name;
    std::vector<SwapHop> hops;
    SwapPathError error;
  };
  const std::vector<Row> rows{
      {"no hops", {}, SwapPathError::no_hops},
      {"a fee above uint24", {{1U << 24, kUsdc}}, SwapPathError::fee_too_large},
      {"WETH to WETH", {{500, kWeth}}, SwapPathError::same_token_hop},
      {"USDC to USDC in the second hop",
       {{500, kUsdc}, {100, kUsdc}},
       SwapPathError::same_token_hop},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto path = encode_swap_path(kWeth, row.hops);
    REQUIRE_FALSE(path.has_value());
    CHECK(path.error() == row.error);
    CHECK_FALSE(keeper::liquidator::describe(path.error()).empty());
  }
}
