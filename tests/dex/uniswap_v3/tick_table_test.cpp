#include <catch2/catch.hpp>

#include "dex/uniswap_v3/tick_table.hpp"

using namespace dex::uniswap_v3;

namespace {

TickTable table_with(Tick spacing, std::initializer_list<Tick> ticks) {
  TickTable t{spacing};
  for (const Tick tick : ticks) REQUIRE(t.set({tick, 1, 1}).has_value());
  return t;
}

}  // namespace

// The cases of v3-core's test/TickBitmap.spec.ts (spacing 1, ticks -200, -55, -4, 70, 78, 84,
// 139, 240, 535), answered by the sorted table instead of a bitmap.
TEST_CASE("next initialized tick within one word equals TickBitmap's answers", "[uniswap][ticks]") {
  const TickTable t = table_with(1, {-200, -55, -4, 70, 78, 84, 139, 240, 535});
  struct Row {
    Tick from;
    bool lte;
    Tick next;
    bool initialized;
  };
  const Row rows[] = {
      // lte = false: strictly above, up to the end of the next tick's word.
      {78, false, 84, true},
      {-55, false, -4, true},
      {77, false, 78, true},
      {-56, false, -55, true},
      {255, false, 511, false},
      {-257, false, -200, true},
      {508, false, 511, false},
      {255, false, 511, false},
      {383, false, 511, false},
      // lte = true: at or below, down to the start of the tick's word.
      {78, true, 78, true},
      {79, true, 78, true},
      {258, true, 256, false},
      {256, true, 256, false},
      {72, true, 70, true},
      {-257, true, -512, false},
      {1023, true, 768, false},
      {900, true, 768, false},
  };
  for (const Row& r : rows) {
    CAPTURE(r.from, r.lte);
    const auto next = t.next_initialized_within_word(r.from, r.lte);
    REQUIRE(next.has_value());
    CHECK(next->tick == r.next);
    CHECK(next->initialized == r.initialized);
  }
  // The spec's cases that flip one more tick first.
  const TickTable with340 = table_with(1, {-200, -55, -4, 70, 78, 84, 139, 240, 340, 535});
  CHECK(with340.next_initialized_within_word(328, false)->tick == 340);
  const TickTable with329 = table_with(1, {-200, -55, -4, 70, 78, 84, 139, 240, 329, 535});
  CHECK(with329.next_initialized_within_word(456, true)->tick == 329);
  CHECK(with329.next_initialized_within_word(456, true)->initialized);
}

TEST_CASE("ticks are compressed by the spacing, rounding towards negative infinity",
          "[uniswap][ticks]") {
  const TickTable t = table_with(60, {-120, 60, 15360});
  // -1 compresses to -1: the search at or below starts there and finds -120 in the same word.
  CHECK(t.next_initialized_within_word(-1, true)->tick == -120);
  CHECK(t.next_initialized_within_word(-1, false)->tick == 60);
  CHECK(t.next_initialized_within_word(0, true)->tick == 0);  // the word's first tick
  CHECK(!t.next_initialized_within_word(0, true)->initialized);
  // 15360 = 256 * 60 starts word 1: from tick 60 upwards the search ends at word 0's last tick.
  CHECK(t.next_initialized_within_word(60, false)->tick == 255 * 60);
  CHECK(TickTable::word_of(-1, 60) == -1);
  CHECK(TickTable::word_of(15359, 60) == 0);
}

TEST_CASE("a table that knows only some words refuses to answer for the others",
          "[uniswap][ticks]") {
  TickTable t = table_with(1, {10});
  t.set_known_words(0, 0);
  CHECK(t.next_initialized_within_word(5, false).has_value());
  CHECK(!t.next_initialized_within_word(255, false).has_value());
  CHECK(!t.next_initialized_within_word(-1, true).has_value());
}

TEST_CASE("position updates keep gross and net as Tick.update does, and reject bad ticks",
          "[uniswap][ticks]") {
  TickTable t{10};
  REQUIRE(t.update(-20, 100, false).has_value());
  REQUIRE(t.update(30, 100, true).has_value());
  REQUIRE(t.update(30, 40, false).has_value());  // another position starts where one ends
  CHECK(*t.find(-20) == TickLiquidity{-20, 100, 100});
  CHECK(*t.find(30) == TickLiquidity{30, 140, -60});
  REQUIRE(t.update(-20, -100, false).has_value());
  CHECK(t.find(-20) == nullptr);  // cleared with its last position
  CHECK(t.update(30, -141, true).error() == TickError::gross_underflow);
  CHECK(t.update(35, 1, false).error() == TickError::not_spaced);
  CHECK(t.update(kMaxTick + 8, 1, false).error() == TickError::out_of_range);
  CHECK(t.set({40, u256{1} << 128, 0}).error() == TickError::gross_out_of_range);
  CHECK(t.set({40, 1, i256{1} << 127}).error() == TickError::net_out_of_range);
}

TEST_CASE("a table with a spacing no pool can have answers nothing, without dividing by zero",
          "[uniswap][ticks]") {
  for (const Tick spacing : {0, -60}) {
    TickTable t{spacing};
    CHECK(t.update(0, 1, false).error() == TickError::not_spaced);
    CHECK(!t.next_initialized_within_word(0, true).has_value());
    CHECK(TickTable::word_of(100, spacing) == 0);
  }
}
