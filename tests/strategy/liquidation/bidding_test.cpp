// The bid: a share of the profit per gas over the next base fee, within the tip cap, the fee cap
// and the profit floor, one wei over a competitor or nothing. Expected values worked by hand:
// $100 gross over 400k gas with ETH at $2000 pays up to 125 gwei per gas.
#include <catch2/catch.hpp>

#include "strategy/bidding.hpp"
#include "strategy/gas_model.hpp"

using namespace strategy;
using chain::u256;

namespace {

constexpr std::uint64_t kGwei = 1'000'000'000;
const u256 kUsd{100'000'000};  // base currency unit: USD with 8 decimals

}  // namespace

TEST_CASE("the tip is a share of the profit per gas, bounded by caps and the floor", "[bid]") {
  struct Row {
    const char* what;
    std::uint64_t gross_usd;
    std::uint64_t base_gwei;
    std::uint32_t share_ppm;
    std::uint64_t max_tip_gwei;
    std::uint64_t cap_gwei;
    std::uint64_t floor_usd;
    std::optional<std::uint64_t> competitor_tip_wei;
    // Expected: max fee, tip (wei), net profit (base units); or the refusal.
    std::uint64_t max_fee, tip, net;
    std::optional<BidRefusal> refusal;
  };
  const u256 g{kGwei};
  const std::vector<Row> rows{
      {"half of 115 gwei headroom",
       100,
       10,
       500'000,
       1000,
       500,
       1,
       {},
       77'500'000'000,
       57'500'000'000,
       4'600'000'000,
       {}},
      {"tip capped at 3 gwei",
       100,
       10,
       500'000,
       3,
       500,
       1,
       {},
       23'000'000'000,
       3'000'000'000,
       8'960'000'000,
       {}},
      {"the floor of $90 limits the tip",
       100,
       10,
       1'000'000,
       1000,
       500,
       90,
       {},
       22'500'000'000,
       2'500'000'000,
       9'000'000'000,
       {}},
      {"the fee cap limits the tip",
       100,
       10,
       500'000,
       50,
       15,
       1,
       {},
       15'000'000'000,
       5'000'000'000,
       8'800'000'000,
       {}},
      {"one wei over a competitor",
       100,
       10,
       100'000,
       1000,
       500,
       1,
       20 * kGwei,
       40'000'000'001,
       20'000'000'001,
       7'600'000'000,
       {}},
      {"$1 does not pay 400k gas at 10 gwei",
       1,
       10,
       500'000,
       3,
       500,
       0,
       {},
       0,
       0,
       0,
       BidRefusal::unprofitable},
      {"covers the base fee, not the $99 floor",
       100,
       10,
       500'000,
       3,
       500,
       99,
       {},
       0,
       0,
       0,
       BidRefusal::below_min_profit},
      {"base fee above the cap", 100, 30, 500'000, 3, 20, 1, {}, 0, 0, 0, BidRefusal::fee_cap},
      {"a competitor over the tip cap", 100, 10, 500'000, 3, 500, 1, 5 * kGwei, 0, 0, 0,
       BidRefusal::outbid},
  };
  for (const auto& r : rows) {
    CAPTURE(r.what);
    const FeeContext fees{u256{r.base_gwei} * g, u256{2000} * kUsd};
    const BidPolicy policy{r.share_ppm, u256{r.max_tip_gwei} * g, u256{r.cap_gwei} * g,
                           u256{r.floor_usd} * kUsd};
    std::optional<u256> competitor;
    if (r.competitor_tip_wei) competitor = u256{*r.competitor_tip_wei};
    const auto bid = place_bid({u256{r.gross_usd} * kUsd, 400'000, competitor}, fees, policy);
    if (r.refusal) {
      REQUIRE_FALSE(bid.has_value());
      CHECK(bid.error() == *r.refusal);
      continue;
    }
    REQUIRE(bid.has_value());
    CHECK(bid->max_fee_per_gas == u256{r.max_fee});
    CHECK(bid->max_priority_fee_per_gas == u256{r.tip});
    CHECK(bid->expected_fee_per_gas == u256{r.base_gwei} * g + u256{r.tip});
    CHECK(bid->net_profit_base == chain::i256{r.net});
    CHECK(bid->net_profit_base >= chain::i256{u256{r.floor_usd} * kUsd});
  }
}

TEST_CASE("gas can only be valued with a native price", "[bid]") {
  const auto bid = place_bid({u256{100} * kUsd, 400'000, std::nullopt}, {u256{kGwei}, 0},
                             {500'000, u256{kGwei}, u256{100 * kGwei}, 0});
  REQUIRE_FALSE(bid.has_value());
  CHECK(bid.error() == BidRefusal::no_native_price);
}

TEST_CASE("the gas model learns the largest gas used per kind, with a margin", "[bid]") {
  GasModel model{{450'000, 1300}};
  CHECK(model.expected("WETH:USDC") == 450'000);
  CHECK(model.limit("WETH:USDC") == 585'000);
  model.observe("WETH:USDC", 310'000);
  model.observe("WETH:USDC", 290'000);
  model.observe("WETH:USDC", 0);  // a malformed receipt teaches nothing
  CHECK(model.expected("WETH:USDC") == 310'000);
  // 310k net of refunds: up to 387.5k gross while it runs, with the 1.3 margin.
  CHECK(model.limit("WETH:USDC") == 503'750);
  CHECK(model.expected("WBTC:DAI") == 450'000);
  CHECK(model.kinds() == 1);
}
