#include <catch2/catch.hpp>

#include <cmath>

#include "dex/uniswap_v3/tick_math.hpp"
#include "tests/dex/uniswap_v3/test_values.hpp"

using namespace dex::uniswap_v3;
using dex_test::dec;
using dex_test::encode_price_sqrt;

// test/TickMath.spec.ts and its snapshot, v3-core 1.0.1.
TEST_CASE("getSqrtRatioAtTick equals v3-core's published values", "[uniswap][tickmath]") {
  struct Row {
    Tick tick;
    const char* sqrt_price;
  };
  const Row rows[] = {
      {kMinTick, "4295128739"},
      {kMinTick + 1, "4295343490"},
      {kMaxTick - 1, "1461373636630004318706518188784493106690254656249"},
      {kMaxTick, "1461446703485210103287273052203988822378723970342"},
      {0, "79228162514264337593543950336"},
      {-50, "79030349367926598376800521322"},
      {50, "79426470787362580746886972461"},
      {-100, "78833030112140176575862854579"},
      {100, "79625275426524748796330556128"},
      {-250, "78244023372248365697264290337"},
      {250, "80224679980005306637834519095"},
      {-500, "77272108795590369356373805297"},
      {500, "81233731461783161732293370115"},
      {-1000, "75364347830767020784054125655"},
      {1000, "83290069058676223003182343270"},
      {-2500, "69919044979842180277688105136"},
      {2500, "89776708723587163891445672585"},
      {-3000, "68192822843687888778582228483"},
      {3000, "92049301871182272007977902845"},
      {-4000, "64867181785621769311890333195"},
      {4000, "96768528593268422080558758223"},
      {-5000, "61703726247759831737814779831"},
      {5000, "101729702841318637793976746270"},
      {-50000, "6504256538020985011912221507"},
      {50000, "965075977353221155028623082916"},
      {-150000, "43836292794701720435367485"},
      {150000, "143194173941309278083010301478497"},
      {-250000, "295440463448801648376846"},
      {250000, "21246587762933397357449903968194344"},
      {-500000, "1101692437043807371"},
      {500000, "5697689776495288729098254600827762987878"},
      {-738203, "7409801140451"},
      {738203, "847134979253254120489401328389043031315994541"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.tick);
    const auto got = get_sqrt_ratio_at_tick(r.tick);
    REQUIRE(got.has_value());
    CHECK(chain::to_dec(*got) == r.sqrt_price);
  }
  CHECK(get_sqrt_ratio_at_tick(kMinTick).value() == kMinSqrtRatio);
  CHECK(get_sqrt_ratio_at_tick(kMaxTick).value() == kMaxSqrtRatio);
  CHECK(get_sqrt_ratio_at_tick(kMinTick - 1).error() == MathError::tick_out_of_range);
  CHECK(get_sqrt_ratio_at_tick(kMaxTick + 1).error() == MathError::tick_out_of_range);
}

TEST_CASE("getSqrtRatioAtTick(±1) is within 1/100 bip of sqrt(1.0001^tick) and brackets tick 0",
          "[uniswap][tickmath]") {
  // Not in the snapshot: checked against the definition (as the spec's "off by 1/100th of a
  // bips" test does) and ordered around the exact 2^96 of tick 0.
  const double q96 = std::ldexp(1.0, 96);
  for (const Tick t : {-1, 1}) {
    const double exact = std::sqrt(std::pow(1.0001, t)) * q96;
    const double got = chain::to_double(get_sqrt_ratio_at_tick(t).value());
    CHECK(std::abs(got - exact) / exact < 1e-8);
  }
  CHECK(get_sqrt_ratio_at_tick(-1).value() < get_sqrt_ratio_at_tick(0).value());
  CHECK(get_sqrt_ratio_at_tick(1).value() > get_sqrt_ratio_at_tick(0).value());
}

TEST_CASE("getTickAtSqrtRatio equals v3-core's published values", "[uniswap][tickmath]") {
  const u256 one = 1;
  struct Row {
    u256 sqrt_price;
    Tick tick;
  };
  const Row rows[] = {
      {kMinSqrtRatio, kMinTick},
      {dec("4295343490"), kMinTick + 1},
      {dec("1461373636630004318706518188784493106690254656249"), kMaxTick - 1},
      {kMaxSqrtRatio - 1, kMaxTick - 1},
      {encode_price_sqrt(u256{1'000'000'000'000ULL}, one), 276324},
      {encode_price_sqrt(u256{1'000'000ULL}, one), 138162},
      {encode_price_sqrt(one, 64), -41591},
      {encode_price_sqrt(one, 8), -20796},
      {encode_price_sqrt(one, 2), -6932},
      {encode_price_sqrt(one, one), 0},
      {encode_price_sqrt(2, one), 6931},
      {encode_price_sqrt(8, one), 20795},
      {encode_price_sqrt(64, one), 41590},
      {encode_price_sqrt(one, u256{1'000'000ULL}), -138163},
      {encode_price_sqrt(one, u256{1'000'000'000'000ULL}), -276325},
      // The snapshot's own ratios, as printed there.
      {dec("79228162514264337593543"), -276325},
      {dec("79228162514264337593543950"), -138163},
      {dec("9903520314283042199192993792"), -41591},
      {dec("28011385487393069959365969113"), -20796},
      {dec("56022770974786139918731938227"), -6932},
      {dec("112045541949572279837463876454"), 6931},
      {dec("224091083899144559674927752909"), 20795},
      {dec("633825300114114700748351602688"), 41590},
      {dec("79228162514264337593543950336000"), 138162},
      {dec("79228162514264337593543950336000000"), 276324},
  };
  for (const Row& r : rows) {
    CAPTURE(chain::to_dec(r.sqrt_price));
    const auto got = get_tick_at_sqrt_ratio(r.sqrt_price);
    REQUIRE(got.has_value());
    CHECK(*got == r.tick);
  }
  CHECK(get_tick_at_sqrt_ratio(kMinSqrtRatio - 1).error() == MathError::price_out_of_range);
  CHECK(get_tick_at_sqrt_ratio(kMaxSqrtRatio).error() == MathError::price_out_of_range);
}

TEST_CASE("getTickAtSqrtRatio is the greatest tick whose price is at or below the ratio",
          "[uniswap][tickmath]") {
  // Round trips across the range, and the prices one wei either side of each tick's price.
  for (Tick t = kMinTick + 1; t < kMaxTick; t += 7919) {
    CAPTURE(t);
    const u256 at = get_sqrt_ratio_at_tick(t).value();
    CHECK(get_tick_at_sqrt_ratio(at).value() == t);
    CHECK(get_tick_at_sqrt_ratio(at - 1).value() == t - 1);
    CHECK(get_tick_at_sqrt_ratio(at + 1).value() == t);
  }
  for (const Tick t : {-2, -1, 0, 1, 2, kMinTick, kMaxTick - 1}) {
    CAPTURE(t);
    const u256 at = get_sqrt_ratio_at_tick(t).value();
    const u256 next = get_sqrt_ratio_at_tick(t + 1).value();
    CHECK(get_tick_at_sqrt_ratio(at).value() == t);
    CHECK(get_tick_at_sqrt_ratio(next - 1).value() == t);
  }
}
