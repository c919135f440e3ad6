// The linear health bound against the exact balances: every collateral term is at most the
// exact balance's weighted value and every debt term at least the exact debt's, including where
// rayMul's rounding puts the exact balance half a unit away from scaled * index / RAY.
#include <catch2/catch.hpp>

#include <optional>

#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/health_bound.hpp"
#include "tests/cascade/cascade_fixture.hpp"

namespace {

using namespace keeper::testing::cascade_fixture;
namespace sc = strategy::cascade;

std::optional<double> term_of(const sc::HealthBound& bound, strategy::AssetId asset) {
  for (const auto& t : bound.terms)
    if (t.asset == asset) return t.coefficient;
  return std::nullopt;
}

// index = kRay * tenths / 10, so that scaled * index / RAY has the fractions the rows need.
u256 tenths_of_ray(std::uint64_t tenths) { return aave::kRay * tenths / 10; }

}  // namespace

TEST_CASE("the linear health bound brackets rayMul's rounded balances", "[cascade]") {
  struct Row {
    const char* what;
    std::uint64_t scaled_collateral;  // WETH wei
    std::uint64_t income_tenths;
    std::uint64_t scaled_debt;  // USDC units
    std::uint64_t debt_index_tenths;
  };
  const Row rows[] = {
      // 1 * 1.4 = 1.4: rayMul gives 1, under the product; 1 * 1.5 = 1.5: rayMul gives 2, over it.
      {"collateral rounded down, debt rounded up", 1, 14, 1, 15},
      {"collateral rounded up, debt rounded up", 3, 15, 5, 11},
      {"collateral rounded to nothing", 1, 4, 3, 10},
      {"whole tokens", 5'000'000'000'000'000'000ULL, 12, 4'000'000'000ULL, 13},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    auto m = market();
    m.reserves[0].liquidity_index = tenths_of_ray(row.income_tenths);
    m.reserves[1].variable_borrow_index = tenths_of_ray(row.debt_index_tenths);
    aave::Account a;
    a.config.data = 0b0110;  // WETH as collateral, USDC borrowed
    a.positions.push_back({0, u256{row.scaled_collateral}, 0, 0, 0, 0});
    a.positions.push_back({1, 0, u256{row.scaled_debt}, 0, 0, 0});

    sc::HealthBound bound;
    aave::linear_health_bound(m, a, kNow, bound);
    const double collateral =
        chain::to_double(aave::a_token_balance(m.reserves[0], a.positions[0], kNow).value());
    const double debt =
        chain::to_double(aave::variable_debt_balance(m.reserves[1], a.positions[1], kNow).value());
    const double weighted = collateral / 1e18 * 0.825;  // WETH's threshold, 82.5%
    const double owed = debt / 1e6;

    const auto c = term_of(bound, 0);
    const auto d = term_of(bound, 1);
    REQUIRE(d.has_value());
    CHECK(-*d >= owed);
    if (c) CHECK(*c <= weighted);
    // Not vacuous: whole tokens are bounded within a billionth.
    if (row.scaled_collateral >= 1'000'000'000'000ULL) {
      REQUIRE(c.has_value());
      CHECK(*c >= weighted * (1 - 1e-9));
      CHECK(-*d <= owed * (1 + 1e-9));
    }
    // One collateral: percentMul's half unit, one unit for the doubles, and the threshold's
    // unit per collateral.
    CHECK(bound.slack == Approx(0.5 + 1.0 + 0.825));
  }
}
