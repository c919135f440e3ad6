// Morpho Blue's MathLib, SharesMathLib and Morpho.sol arithmetic, table-driven. The liquidation
// incentive factors are the ones Morpho's documentation publishes per LLTV; the rest are computed
// with Solidity's integer semantics (and the devnet parity test checks them against Morpho itself).
#include <catch2/catch.hpp>

#include "protocols/morpho_blue/market_math.hpp"
#include "protocols/morpho_blue/market_params.hpp"
#include "protocols/morpho_blue/math.hpp"

using namespace protocols::morpho_blue;

namespace {
u256 dec(const char* text) { return chain::u256_from_dec(text).value(); }
}  // namespace

TEST_CASE("liquidation incentive factor per LLTV, as Morpho's documentation lists it",
          "[morpho][math]") {
  struct Row {
    const char* lltv;
    const char* factor;
  };
  const Row rows[] = {
      {"860000000000000000", "1043841336116910229"},  // 1.0438 in the docs
      {"945000000000000000", "1016776817488561260"},  // 1.0168
      {"770000000000000000", "1074113856068743286"},  // 1.0741
      {"625000000000000000", "1126760563380281690"},  // 1.1268
      {"385000000000000000", "1150000000000000000"},  // capped at 1.15
      {"980000000000000000", "1006036217303822937"}, {"0", "1150000000000000000"},
  };
  for (const auto& r : rows) {
    INFO("lltv " << r.lltv);
    CHECK(liquidation_incentive_factor(dec(r.lltv)) == dec(r.factor));
  }
}

TEST_CASE("wTaylorCompounded: three terms, each rounded down", "[morpho][math]") {
  struct Row {
    const char* rate;
    std::uint64_t seconds;
    const char* expected;
  };
  const Row rows[] = {
      {"0", 100, "0"},
      {"634195839", 31'536'000, "20201333311607154"},  // 2%/year for a year: 2.0201%
      {"5707762557", 86'400, "493272303712663"},       // 18%/year for a day
      {"3170979198", 1, "3170979203"},
      {"1000000000000000000", 1, "1666666666666666666"},  // 1 + 1/2 + 1/6, rounded down twice
  };
  for (const auto& r : rows) {
    INFO(r.rate << " for " << r.seconds << " s");
    CHECK(w_taylor_compounded(dec(r.rate), u256{r.seconds}) == dec(r.expected));
  }
}

TEST_CASE("shares and assets convert with 1e6 virtual shares and 1 virtual asset",
          "[morpho][math]") {
  struct Row {
    const char* amount;
    const char* total_assets;
    const char* total_shares;
    const char* shares_down;
    const char* shares_up;
    const char* assets_down;
    const char* assets_up;
  };
  const Row rows[] = {
      {"1000", "0", "0", "1000000000", "1000000000", "0", "1"},
      {"1", "0", "0", "1000000", "1000000", "0", "1"},
      {"123456789", "1000000000000", "999999999999999999", "123456788999999", "123456789000000",
       "123", "124"},
      {"1000000", "1000000000007", "1000000000000000000", "999999999993", "999999999994", "1", "2"},
  };
  for (const auto& r : rows) {
    INFO(r.amount << " of " << r.total_assets << "/" << r.total_shares);
    const u256 a = dec(r.amount), ta = dec(r.total_assets), ts = dec(r.total_shares);
    CHECK(to_shares_down(a, ta, ts) == dec(r.shares_down));
    CHECK(to_shares_up(a, ta, ts) == dec(r.shares_up));
    CHECK(to_assets_down(a, ta, ts) == dec(r.assets_down));
    CHECK(to_assets_up(a, ta, ts) == dec(r.assets_up));
  }
}

TEST_CASE("mulDiv rounds as MathLib and the checked forms refuse what Solidity reverts on",
          "[morpho][math]") {
  CHECK(mul_div_down(u256{7}, u256{3}, u256{2}) == 10);
  CHECK(mul_div_up(u256{7}, u256{3}, u256{2}) == 11);
  CHECK(mul_div_up(u256{0}, u256{3}, u256{2}) == 0);
  CHECK(w_div_up(u256{1}, u256{3}) == dec("333333333333333334"));
  CHECK(w_div_down(u256{1}, u256{3}) == dec("333333333333333333"));
  CHECK_FALSE(checked_mul_div_down(chain::kU256Max, u256{2}, u256{2}).has_value());
  CHECK_FALSE(checked_mul_div_up(u256{1}, u256{1}, u256{0}).has_value());
  CHECK(checked_mul_div_up(chain::kU256Max, u256{1}, u256{1}) == chain::kU256Max);
  CHECK_FALSE(checked_mul_div_up(chain::kU256Max, u256{1}, u256{2}).has_value());
}

namespace {

// A WETH/USDC market at 86%: WETH at 1500 USDC (the oracle's 1500e6 * 1e36 / 1e18), 8M USDC
// borrowed of 10M supplied, and a borrower owing ~20k USDC.
struct Scenario {
  MarketTotals totals{dec("10000000000000"),
                      dec("10000000000000000005"),
                      dec("8000000012345"),
                      dec("8000000011357345679"),
                      u256{1000},
                      dec("100000000000000000")};
  Position position{0, dec("20000000000000000"), dec("15000000000000000000")};
  u256 lltv = dec("860000000000000000");
  u256 price = dec("1500000000000000000000000000");
};

}  // namespace

TEST_CASE("health is Morpho._isHealthy: debt rounded up, max borrow rounded down",
          "[morpho][math]") {
  Scenario s;
  const auto h = health(s.totals, s.position, s.lltv, s.price);
  CHECK(h.borrowed == 20000000003);
  CHECK(h.max_borrow == 19350000000);
  CHECK_FALSE(h.healthy());
  s.position.collateral = dec("15503875971900000000");  // 19999.99... USDC of max borrow
  CHECK(health(s.totals, s.position, s.lltv, s.price).max_borrow == 20000000003);
  CHECK(health(s.totals, s.position, s.lltv, s.price).healthy());
  s.position.borrow_shares = 0;
  CHECK(health(s.totals, s.position, s.lltv, s.price).healthy());
  CHECK(health_factor(health(s.totals, s.position, s.lltv, s.price)) == chain::kU256Max);
}

TEST_CASE("interest accrues as _accrueInterest, with the fee's shares", "[morpho][math]") {
  Scenario s;
  const auto a = accrue_interest(s.totals, u256{5707762557}, 1000 + 86'400);
  CHECK(a.interest == 3946178435);
  CHECK(a.fee_shares == dec("394477741839766"));
  CHECK(s.totals.total_borrow_assets == dec("8003946190780"));
  CHECK(s.totals.total_supply_assets == dec("10003946178435"));
  CHECK(s.totals.total_supply_shares == dec("10000394477741839771"));
  CHECK(s.totals.last_update == 1000 + 86'400);
  // No time elapsed: nothing happens.
  const auto again = accrue_interest(s.totals, u256{5707762557}, 1000 + 86'400);
  CHECK(again.interest == 0);
  CHECK(s.totals.total_borrow_assets == dec("8003946190780"));
}

TEST_CASE("liquidate: seized assets or repaid shares, rounded as Morpho, and bad debt",
          "[morpho][math]") {
  struct Row {
    const char* name;
    const char* seized;
    const char* repaid_shares;
    const char* collateral;
    const char* out_seized;
    const char* out_shares;
    const char* out_assets;
    const char* bad_debt_assets;
    const char* bad_debt_shares;
  };
  const Row rows[] = {
      {"1 WETH seized", "1000000000000000000", "0", "15000000000000000000", "1000000000000000000",
       "1437000000822593", "1437000002", "0", "0"},
      {"half the shares repaid", "0", "10000000000000000", "15000000000000000000",
       "6958942241333333333", "10000000000000000", "10000000002", "0", "0"},
      {"all collateral seized: the rest is bad debt", "12000000000000000000", "0",
       "12000000000000000000", "12000000000000000000", "17243999998871112", "17244000002",
       "2756000002", "2756000001128888"},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    Scenario s;
    s.position.collateral = dec(r.collateral);
    const auto before = s.totals;
    const auto out =
        liquidate(s.totals, s.position, s.lltv, s.price, dec(r.seized), dec(r.repaid_shares));
    REQUIRE(out.has_value());
    CHECK(out->seized_assets == dec(r.out_seized));
    CHECK(out->repaid_shares == dec(r.out_shares));
    CHECK(out->repaid_assets == dec(r.out_assets));
    CHECK(out->bad_debt_assets == dec(r.bad_debt_assets));
    CHECK(out->bad_debt_shares == dec(r.bad_debt_shares));
    CHECK(s.totals.total_supply_assets == before.total_supply_assets - out->bad_debt_assets);
    if (out->bad_debt_shares != 0) CHECK(s.position.borrow_shares == 0);
  }
}

TEST_CASE("liquidate refuses what Morpho refuses", "[morpho][math]") {
  Scenario s;
  // Seizing all 15 WETH needs more shares than the borrower owes: an underflow on chain.
  CHECK(liquidate(s.totals, s.position, s.lltv, s.price, dec("15000000000000000000"), 0).error() ==
        LiquidationRefusal::too_much);
  CHECK(liquidate(s.totals, s.position, s.lltv, s.price, 0, 0).error() ==
        LiquidationRefusal::inconsistent_input);
  CHECK(liquidate(s.totals, s.position, s.lltv, s.price, 1, 1).error() ==
        LiquidationRefusal::inconsistent_input);
  CHECK(liquidate(s.totals, s.position, s.lltv, s.price * 2, 1, 0).error() ==
        LiquidationRefusal::healthy);
  CHECK(liquidate(s.totals, s.position, s.lltv, 0, 0, 1).error() == LiquidationRefusal::zero_price);
  // What one call can take: all 15 WETH are worth more than the debt at the incentive.
  CHECK(max_seizable(s.totals, s.position, s.lltv, s.price) == dec("13917884482666666666"));
}

TEST_CASE("a market's Id is keccak256 of its five parameter words", "[morpho][params]") {
  // Morpho Blue on Base: the WETH/USDC 86% market and its published Id.
  const MarketParams p{
      chain::Address::from_hex("0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913").value(),
      chain::Address::from_hex("0x4200000000000000000000000000000000000006").value(),
      chain::Address::from_hex("0xFEa2D58cEfCb9fcb597723c6bAE66fFE4193aFE4").value(),
      chain::Address::from_hex("0x46415998764C29aB2a25CbeA6254146D50D22687").value(),
      dec("860000000000000000")};
  CHECK(market_id_hex(market_id(p)) ==
        "0x8793cf302b8ffd655ab97bd1c695dbd967807e8367a65cb2f4edaf1380ba1bda");
}

TEST_CASE("the largest seizure still holds after a bad debt written off before it in the block",
          "[morpho][math]") {
  // One market, two unhealthy borrowers liquidated in one block: `other` (1 WETH against 5,000
  // USDC) first, all its collateral seized and the rest written off as bad debt; then ours, sized
  // to repay nearly every share before the block. The write-off rounds the assets it removes up,
  // so each remaining share is worth a little less when ours runs. Ours holds most of the market's
  // debt, so that rounding moves its share count by about half an asset unit's worth of shares.
  Scenario base;
  const u256 ours_shares = dec("20000000000000000");
  std::size_t panics_without_margin = 0;
  for (std::uint64_t k = 0; k < 60; ++k) {
    CAPTURE(k);
    MarketTotals totals{dec("30000000000"),
                        dec("30000000000000000"),
                        dec("25000012345") + u256{k * 7919},
                        dec("24999000011357345") + u256{k * 104729},
                        u256{1000},
                        dec("100000000000000000")};
    Position ours{0, ours_shares + u256{k * 1'000'003}, dec("15000000000000000000")};
    Position other{0, dec("4999000000000000"), dec("1000000000000000000")};
    const auto upper = max_seizable(totals, ours, base.lltv, base.price);
    const auto plan = [&](const u256& margin) {
      return largest_seizure(totals, totals, ours, base.lltv, base.price, upper,
                             dec("1000000000000000000000"), margin);
    };
    // What happens on chain: the other's liquidation first, then ours with the planned seizure.
    const auto lands = [&](const u256& seized) {
      MarketTotals t = totals;
      Position o = other;
      const auto written_off = liquidate(t, o, base.lltv, base.price, o.collateral, 0);
      REQUIRE(written_off.has_value());
      REQUIRE(written_off->bad_debt_shares != 0);
      Position p = ours;
      return liquidate(t, p, base.lltv, base.price, seized, 0);
    };
    const auto with_margin = plan(u256{kShareMarginAssets});
    REQUIRE(with_margin.has_value());
    CHECK(lands(with_margin->first).has_value());
    // It still repays all but a sliver of the debt: the margin is a few asset units.
    CHECK(with_margin->second.repaid_shares + u256{100'000'000} >= ours.borrow_shares);
    const auto to_the_last_share = plan(0);
    REQUIRE(to_the_last_share.has_value());
    const auto landed = lands(to_the_last_share->first);
    if (!landed) {
      CHECK(landed.error() == LiquidationRefusal::too_much);
      ++panics_without_margin;
    }
  }
  // The same plan without the margin panics (0x11) in a good share of these blocks.
  CHECK(panics_without_margin > 5);
}
