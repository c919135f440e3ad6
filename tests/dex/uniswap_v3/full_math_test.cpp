#include <catch2/catch.hpp>

#include "dex/uniswap_v3/full_math.hpp"
#include "tests/dex/uniswap_v3/test_values.hpp"

using namespace dex::uniswap_v3;
using dex_test::dec;
using dex_test::kQ128;

// Cases of v3-core's test/FullMath.spec.ts.
TEST_CASE("mulDiv and mulDivRoundingUp equal v3-core's FullMath on its published cases",
          "[uniswap][fullmath]") {
  const u256 max = chain::kU256Max;
  struct Row {
    const char* name;
    u256 a, b, d;
    std::optional<u256> down;  // nullopt: reverts
    std::optional<u256> up;
  };
  const Row rows[] = {
      {"denominator 0", kQ128, 5, 0, std::nullopt, std::nullopt},
      {"denominator 0 and numerator overflows", kQ128, kQ128, 0, std::nullopt, std::nullopt},
      {"output overflows uint256", kQ128, kQ128, 1, std::nullopt, std::nullopt},
      {"all max inputs but denominator - 1", max, max, max - 1, std::nullopt, std::nullopt},
      {"all max inputs", max, max, max, max, max},
      {"accurate without phantom overflow", kQ128, u256{50} * kQ128 / 100, u256{150} * kQ128 / 100,
       kQ128 / 3, kQ128 / 3 + 1},
      {"accurate with phantom overflow", kQ128, u256{35} * kQ128, u256{8} * kQ128,
       u256{4375} * kQ128 / 1000, u256{4375} * kQ128 / 1000},
      {"phantom overflow and repeating decimal", kQ128, u256{1000} * kQ128, u256{3000} * kQ128,
       kQ128 / 3, kQ128 / 3 + 1},
      {"rounding up overflows 256 bits", dec("535006138814359"),
       dec("432862656469423142931042426214547535783388063929571229938474969"), 2,
       dec("115792089237316195423570985008687907853269984665640564039457584007913129639935"),
       std::nullopt},
      {"rounding up overflows 256 bits, case 2",
       dec("115792089237316195423570985008687907853269984659341747863450311749907997002549"),
       dec("115792089237316195423570985008687907853269984659341747863450311749907997002550"),
       dec("115792089237316195423570985008687907853269984653042931687443039491902864365164"),
       dec("115792089237316195423570985008687907853269984665640564039457584007913129639935"),
       std::nullopt},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    const auto down = mul_div(r.a, r.b, r.d);
    const auto up = mul_div_rounding_up(r.a, r.b, r.d);
    REQUIRE(down.has_value() == r.down.has_value());
    REQUIRE(up.has_value() == r.up.has_value());
    if (r.down) CHECK(chain::to_dec(*down) == chain::to_dec(*r.down));
    if (r.up) CHECK(chain::to_dec(*up) == chain::to_dec(*r.up));
  }
  CHECK(mul_div(kQ128, 5, 0).error() == MathError::division_by_zero);
  CHECK(mul_div(kQ128, kQ128, 1).error() == MathError::overflow);
}

TEST_CASE("mulDiv equals a*b/d computed in 512 bits on products across the 2^256 boundary",
          "[uniswap][fullmath]") {
  // Both paths of the implementation (product within 256 bits, and beyond) against the plain
  // definition.
  const u256 big = (u256{1} << 200) + 12345;
  for (const u256& a : {u256{7}, (u256{1} << 127) + 3, big, chain::kU256Max / 3}) {
    for (const u256& b : {u256{11}, (u256{1} << 128) - 1, big}) {
      for (const u256& d : {u256{3}, (u256{1} << 100) + 1, big, chain::kU256Max}) {
        const chain::u512 exact = chain::u512{a} * chain::u512{b} / chain::u512{d};
        const auto got = mul_div(a, b, d);
        if (exact > chain::u512{chain::kU256Max}) {
          CHECK(!got.has_value());
        } else {
          REQUIRE(got.has_value());
          CHECK(chain::u512{*got} == exact);
        }
      }
    }
  }
}

TEST_CASE("divRoundingUp rounds up and gives zero for a zero divisor as the EVM does",
          "[uniswap][fullmath]") {
  CHECK(div_rounding_up(10, 5) == 2);
  CHECK(div_rounding_up(11, 5) == 3);
  CHECK(div_rounding_up(0, 5) == 0);
  CHECK(div_rounding_up(7, 0) == 0);
}
