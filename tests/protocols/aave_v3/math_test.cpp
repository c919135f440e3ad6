#include <catch2/catch.hpp>

#include <random>

#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"

using namespace protocols::aave_v3;
using chain::u256;

namespace {
u256 dec(std::string_view s) { return chain::u256_from_dec(s).value(); }
}  // namespace

TEST_CASE("WadRayMath rounds half up and reverts where Solidity reverts", "[aave][math]") {
  CHECK(ray_mul(1, kHalfRay).value() == 1);      // 0.5 rounds up
  CHECK(ray_mul(1, kHalfRay - 1).value() == 0);  // just under half rounds down
  CHECK(wad_mul(3, kHalfWad).value() == 2);      // 1.5 -> 2
  CHECK(ray_div(1, 2 * kRay).value() == 1);      // 0.5 -> 1
  CHECK(wad_div(kWad, 3).value() == dec("333333333333333333333333333333333333"));
  CHECK_FALSE(wad_div(1, 0).has_value());
  CHECK_FALSE(ray_div(1, 0).has_value());
  // The exact overflow boundary of rayMul: a <= (max - HALF_RAY) / b passes, one more reverts.
  const u256 b{3};
  const u256 limit = (chain::kU256Max - kHalfRay) / b;
  CHECK(ray_mul(limit, b).has_value());
  CHECK_FALSE(ray_mul(limit + 1, b).has_value());
  CHECK(ray_to_wad(u256{1'499'999'999}) == 1);
  CHECK(ray_to_wad(u256{1'500'000'000}) == 2);
  CHECK(percent_mul(u256{10'000}, u256{8'250}).value() == 8'250);
  CHECK(percent_mul(u256{1}, u256{5'000}).value() == 1);  // 0.5 -> 1
  CHECK(percent_div(u256{8'250}, u256{8'250}).value() == 10'000);
  CHECK_FALSE(percent_div(1, 0).has_value());
}

namespace {

// The Solidity formulas in 512-bit integers, where nothing wraps: a revert is a result above
// 2^256 - 1 (the guards `a > (max - half) / b` say exactly that), anything else the quotient.
std::optional<u256> reference(const u256& a, const u256& b, const u256& add, const u256& d) {
  if (d == 0) return std::nullopt;
  const chain::u512 n = chain::u512{a} * chain::u512{b} + chain::u512{add};
  if (n > chain::u512{chain::kU256Max}) return std::nullopt;
  return static_cast<u256>(n / chain::u512{d});
}

// Operands of every width, most of them the widths balances, indexes and prices have.
u256 operand(std::mt19937_64& rng) {
  const unsigned bits = static_cast<unsigned>(rng() % 257);
  u256 v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 64) | u256{rng()};
  if (rng() % 5 == 0) return bits == 256 ? ~u256{0} : (u256{1} << bits) - 1;
  return bits == 256 ? v : v & ((u256{1} << bits) - 1);
}

}  // namespace

TEST_CASE("WadRayMath is the Solidity formula on random operands of every width", "[aave][math]") {
  // The word-wise fast paths (products, one- and two-word divisors, 10^27 as 10^9 * 10^18) and
  // the overflow guards' shortcuts against the plain formulas.
  std::mt19937_64 rng{18};
  std::size_t results = 0;
  for (int i = 0; i < 300'000; ++i) {
    const u256 a = operand(rng);
    const u256 b = operand(rng);
    INFO(a << " " << b);
    const auto wm = wad_mul(a, b);
    const auto wd = wad_div(a, b);
    const auto rm = ray_mul(a, b);
    const auto rd = ray_div(a, b);
    const auto pm = percent_mul(a, b);
    const auto pd = percent_div(a, b);
    const bool same = wm == reference(a, b, kHalfWad, kWad) && wd == reference(a, kWad, b / 2, b) &&
                      rm == reference(a, b, kHalfRay, kRay) && rd == reference(a, kRay, b / 2, b) &&
                      pm == reference(a, b, kHalfPercentage, kPercentageFactor) &&
                      pd == reference(a, kPercentageFactor, b / 2, b);
    REQUIRE(same);
    for (const auto* r : {&wm, &wd, &rm, &rd, &pm, &pd}) results += r->has_value() ? 1U : 0U;
  }
  CHECK(results > 300'000);  // not only reverts
}

TEST_CASE("user configuration bits read as the shifted word says, past 255 too", "[aave][config]") {
  std::mt19937_64 rng{7};
  for (int i = 0; i < 2'000; ++i) {
    UserConfig c;
    c.data = operand(rng);
    for (std::size_t r = 0; r < 140; ++r) {
      const bool borrowing = ((c.data >> (2 * r)) & 1) != 0;
      const bool collateral = ((c.data >> (2 * r + 1)) & 1) != 0;
      if (c.borrowing(r) != borrowing || c.using_as_collateral(r) != collateral) {
        INFO(c.data << " reserve " << r);
        REQUIRE(c.borrowing(r) == borrowing);
        REQUIRE(c.using_as_collateral(r) == collateral);
      }
    }
  }
  const UserConfig all{~u256{0}};
  CHECK(all.borrowing(127));
  CHECK(all.using_as_collateral(127));
  CHECK_FALSE(all.borrowing(128));
  CHECK_FALSE(all.using_as_collateral(std::size_t{1} << 40));
}

TEST_CASE("interest factors match MathUtils to the wei", "[aave][math]") {
  const u256 five_percent = u256{5} * kRay / 100;
  // Values computed independently with arbitrary-precision integers following MathUtils.sol.
  CHECK(compounded_interest(five_percent, 0, kSecondsPerYear).value() ==
        dec("1051265681539063650421944000"));
  CHECK(compounded_interest(five_percent, 100, 101).value() == dec("1000000001585489599188229325"));
  CHECK(compounded_interest(five_percent, 100, 102).value() == dec("1000000003170979200890235919"));
  CHECK(compounded_interest(five_percent, 7, 7).value() == kRay);
  CHECK(linear_interest(five_percent, 0, kSecondsPerYear).value() ==
        dec("1050000000000000000000000000"));
  CHECK_FALSE(linear_interest(five_percent, 10, 9).has_value());  // time never runs backwards
}

TEST_CASE("reserve configuration bitmap decodes every field", "[aave][config]") {
  ReserveConfig c;
  c.ltv = 8000;
  c.liquidation_threshold = 8250;
  c.liquidation_bonus = 10500;
  c.decimals = 18;
  c.active = true;
  c.borrowing_enabled = true;
  c.flashloan_enabled = true;
  c.reserve_factor = 1500;
  c.borrow_cap = 1'400'000;
  c.supply_cap = 1'800'000;
  c.liquidation_protocol_fee = 1000;
  c.emode_category = 1;
  c.debt_ceiling = 0;
  const u256 raw = c.encode();
  // Bit layout of ReserveConfiguration.sol: LTV in bits 0-15, threshold 16-31, bonus 32-47 ...
  CHECK((raw & 0xffff) == 8000);
  CHECK(((raw >> 16) & 0xffff) == 8250);
  CHECK(((raw >> 48) & 0xff) == 18);
  CHECK(((raw >> 152) & 0xffff) == 1000);
  CHECK(ReserveConfig::decode(raw) == c);
  UserConfig user{u256{0b1001}};  // borrowing reserve 0, collateral in reserve 1
  CHECK(user.borrowing(0));
  CHECK_FALSE(user.using_as_collateral(0));
  CHECK_FALSE(user.borrowing(1));
  CHECK(user.using_as_collateral(1));
}

TEST_CASE("account data of a WETH/USDC account, computed by hand", "[aave][account]") {
  Market m;
  Reserve weth;
  weth.id = 0;
  weth.config.ltv = 8000;
  weth.config.liquidation_threshold = 8250;
  weth.config.decimals = 18;
  weth.liquidity_index = kRay;
  weth.variable_borrow_index = kRay;
  weth.price = u256{2000} * 100'000'000;
  Reserve usdc;
  usdc.id = 1;
  usdc.config.ltv = 7700;
  usdc.config.liquidation_threshold = 8000;
  usdc.config.decimals = 6;
  usdc.liquidity_index = kRay;
  usdc.variable_borrow_index = kRay;
  usdc.price = 100'000'000;
  m.reserves = {weth, usdc};

  Account a;
  a.config.data = 0b0110;  // WETH collateral (bit 1), USDC borrowing (bit 2)
  a.positions = {{0, u256{10} * kWad, 0, 0, 0, 0}, {1, 0, u256{12'000'000'000ULL}, 0, 0, 0}};
  const auto d = account_data(m, a, 0).value();
  CHECK(d.total_collateral_base == u256{2'000'000'000'000ULL});
  CHECK(d.total_debt_base == u256{1'200'000'000'000ULL});
  CHECK(d.current_liquidation_threshold == 8250);
  CHECK(d.ltv == 8000);
  CHECK(d.health_factor == dec("1375000000000000000"));
  CHECK(d.available_borrows_base == u256{400'000'000'000ULL});

  Account none;
  CHECK(account_data(m, none, 0).value().health_factor == chain::kU256Max);
}
