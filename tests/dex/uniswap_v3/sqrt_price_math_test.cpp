#include <catch2/catch.hpp>

#include "dex/uniswap_v3/sqrt_price_math.hpp"
#include "tests/dex/uniswap_v3/test_values.hpp"

using namespace dex::uniswap_v3;
using dex_test::dec;
using dex_test::e18;
using dex_test::encode_price_sqrt;

namespace {

const u256 kPrice1 = encode_price_sqrt(1, 1);  // 2^96
const u256 kOddPrice = dec("20282409603651670423947251286016");
const u256 kMaxU128 = (u256{1} << 128) - 1;

std::string show(const MathResult<u256>& r) {
  return r ? chain::to_dec(*r) : std::string{"revert: "} + std::string{describe(r.error())};
}

}  // namespace

// test/SqrtPriceMath.spec.ts, v3-core 1.0.1: "revert" where the spec expects a revert.
TEST_CASE("getNextSqrtPriceFromInput equals v3-core's published cases", "[uniswap][sqrtprice]") {
  const u256 max160 = (u256{1} << 160) - 1;
  struct Row {
    const char* name;
    u256 price, liquidity, amount;
    bool zero_for_one;
    const char* expected;
  };
  const Row rows[] = {
      {"price zero", 0, 0, e18(1) / 10, false, "revert"},
      {"liquidity zero", 1, 0, e18(1) / 10, true, "revert"},
      {"input overflows the price", max160, 1024, 1024, false, "revert"},
      {"any input cannot underflow the price", 1, 1, u256{1} << 255, true, "1"},
      {"zero amount, zeroForOne", kPrice1, e18(1) / 10, 0, true, "79228162514264337593543950336"},
      {"zero amount, oneForZero", kPrice1, e18(1) / 10, 0, false, "79228162514264337593543950336"},
      {"minimum price for max inputs", max160, kMaxU128,
       chain::kU256Max - ((kMaxU128 << 96) / max160), true, "1"},
      {"0.1 token1 in", kPrice1, e18(1), e18(1) / 10, false, "87150978765690771352898345369"},
      {"0.1 token0 in", kPrice1, e18(1), e18(1) / 10, true, "72025602285694852357767227579"},
      {"amountIn > type(uint96).max", kPrice1, e18(10), u256{1} << 100, true, "624999999995069620"},
      {"returns 1 with enough amountIn", kPrice1, 1, chain::kU256Max / 2, true, "1"},
      {"sqrtP * sqrtQ overflows", dec("1025574284609383690408304870162715216695788925244"),
       dec("50015962439936049619261659728067971248"), 406, true,
       "1025574284609383582644711336373707553698163132913"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    const auto got = get_next_sqrt_price_from_input(r.price, r.liquidity, r.amount, r.zero_for_one);
    if (std::string_view{r.expected} == "revert") {
      CHECK(!got.has_value());
    } else {
      CHECK(show(got) == r.expected);
    }
  }
}

TEST_CASE("getNextSqrtPriceFromOutput equals v3-core's published cases", "[uniswap][sqrtprice]") {
  struct Row {
    const char* name;
    u256 price, liquidity, amount;
    bool zero_for_one;
    const char* expected;
  };
  const Row rows[] = {
      {"price zero", 0, 0, e18(1) / 10, false, "revert"},
      {"liquidity zero", 1, 0, e18(1) / 10, true, "revert"},
      {"exactly the virtual reserves of token0", kOddPrice, 1024, 4, false, "revert"},
      {"more than the virtual reserves of token0", kOddPrice, 1024, 5, false, "revert"},
      {"more than the virtual reserves of token1", kOddPrice, 1024, 262145, true, "revert"},
      {"exactly the virtual reserves of token1", kOddPrice, 1024, 262144, true, "revert"},
      {"just less than the virtual reserves of token1", kOddPrice, 1024, 262143, true,
       "77371252455336267181195264"},
      {"zero amount, zeroForOne", kPrice1, e18(1) / 10, 0, true, "79228162514264337593543950336"},
      {"zero amount, oneForZero", kPrice1, e18(1) / 10, 0, false, "79228162514264337593543950336"},
      {"0.1 token1 out", kPrice1, e18(1), e18(1) / 10, false, "88031291682515930659493278152"},
      {"0.1 token0 out", kPrice1, e18(1), e18(1) / 10, true, "71305346262837903834189555302"},
      {"impossible amountOut, zeroForOne", kPrice1, 1, chain::kU256Max, true, "revert"},
      {"impossible amountOut, oneForZero", kPrice1, 1, chain::kU256Max, false, "revert"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    const auto got =
        get_next_sqrt_price_from_output(r.price, r.liquidity, r.amount, r.zero_for_one);
    if (std::string_view{r.expected} == "revert") {
      CHECK(!got.has_value());
    } else {
      CHECK(show(got) == r.expected);
    }
  }
}

TEST_CASE("getAmount0Delta and getAmount1Delta equal v3-core's cases, rounding both ways",
          "[uniswap][sqrtprice]") {
  const u256 p121 = encode_price_sqrt(121, 100);
  CHECK(get_amount0_delta(kPrice1, encode_price_sqrt(2, 1), 0, true).value() == 0);
  CHECK(get_amount0_delta(kPrice1, kPrice1, 0, true).value() == 0);
  CHECK(get_amount1_delta(kPrice1, encode_price_sqrt(2, 1), 0, true).value() == 0);

  // Price 1 -> 1.21 over 1e18 liquidity: 0.1 of each token, the rounded-down one a wei less.
  CHECK(chain::to_dec(get_amount0_delta(kPrice1, p121, e18(1), true).value()) ==
        "90909090909090910");
  CHECK(chain::to_dec(get_amount0_delta(kPrice1, p121, e18(1), false).value()) ==
        "90909090909090909");
  CHECK(chain::to_dec(get_amount1_delta(kPrice1, p121, e18(1), true).value()) ==
        "100000000000000000");
  CHECK(chain::to_dec(get_amount1_delta(kPrice1, p121, e18(1), false).value()) ==
        "99999999999999999");
  // The order of the two prices does not matter.
  CHECK(get_amount0_delta(p121, kPrice1, e18(1), true).value() ==
        get_amount0_delta(kPrice1, p121, e18(1), true).value());

  // Prices whose product overflows 256 bits.
  const u256 lo = encode_price_sqrt(u256{1} << 90, 1);
  const u256 hi = encode_price_sqrt(u256{1} << 96, 1);
  CHECK(get_amount0_delta(lo, hi, e18(1), true).value() ==
        get_amount0_delta(lo, hi, e18(1), false).value() + 1);

  // "sqrtP * sqrtQ overflows": the input that moved the price is recovered exactly.
  const u256 sqrt_p = dec("1025574284609383690408304870162715216695788925244");
  const u256 sqrt_q = dec("1025574284609383582644711336373707553698163132913");
  CHECK(get_amount0_delta(sqrt_q, sqrt_p, dec("50015962439936049619261659728067971248"), true)
            .value() == 406);

  CHECK(get_amount0_delta(0, kPrice1, e18(1), true).error() == MathError::zero_price);
}

TEST_CASE("signed amount deltas round up for added liquidity and down, negated, for removed",
          "[uniswap][sqrtprice]") {
  const u256 p121 = encode_price_sqrt(121, 100);
  const i256 liquidity{e18(1)};
  CHECK(get_amount0_delta_signed(kPrice1, p121, liquidity).value() == i256{90909090909090910LL});
  CHECK(get_amount0_delta_signed(kPrice1, p121, -liquidity).value() == i256{-90909090909090909LL});
  CHECK(get_amount1_delta_signed(kPrice1, p121, liquidity).value() == i256{100000000000000000LL});
  CHECK(get_amount1_delta_signed(kPrice1, p121, -liquidity).value() == i256{-99999999999999999LL});
}
