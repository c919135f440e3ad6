#include <catch2/catch.hpp>

#include "dex/uniswap_v3/liquidity_math.hpp"

using namespace dex::uniswap_v3;

// test/LiquidityMath.spec.ts, v3-core 1.0.1.
TEST_CASE("addDelta equals v3-core's published cases", "[uniswap][liquidity]") {
  CHECK(add_delta(1, 0).value() == 1);
  CHECK(add_delta(1, -1).value() == 0);
  CHECK(add_delta(1, 1).value() == 2);
  CHECK(add_delta((u256{1} << 128) - 15, 15).error() == MathError::liquidity_overflow);
  CHECK(add_delta(0, -1).error() == MathError::liquidity_underflow);
  CHECK(add_delta(3, -4).error() == MathError::liquidity_underflow);
  // The extremes of uint128 and int128.
  CHECK(add_delta((u256{1} << 128) - 16, 15).value() == (u256{1} << 128) - 1);
  CHECK(add_delta(u256{1} << 127, -(i256{1} << 127)).value() == 0);
}
