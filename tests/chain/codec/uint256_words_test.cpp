// The word-wise u256 paths against cpp_int's own operators: the same value for every input, at
// every width, at the edges (zero, carries, all-ones, divisors just above 64 bits) and on
// millions of random operands, so that the protocol math built on them stays exact to the wei.
#include <catch2/catch.hpp>

#include <optional>
#include <random>
#include <vector>

#include "chain/uint256_words.hpp"

using chain::u256;

namespace {

// Operands of every width, weighted to the shapes where word arithmetic goes wrong: all-ones,
// powers of two, a top word with its high bit set, and values just above a word boundary.
class Operands {
 public:
  explicit Operands(std::uint64_t seed) : rng_{seed} {}

  u256 next(unsigned max_bits = 256) {
    const unsigned bits = static_cast<unsigned>(rng_() % (max_bits + 1));
    if (bits == 0) return 0;
    const u256 mask = bits == 256 ? ~u256{0} : (u256{1} << bits) - 1;
    switch (rng_() % 8) {
      case 0: return mask;
      case 1: return u256{1} << (bits - 1);
      case 2: return (u256{1} << (bits - 1)) + (u256{rng_()} & (mask >> 1));
      default: break;
    }
    u256 v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 64) | u256{rng_()};
    return v & mask;
  }

 private:
  std::mt19937_64 rng_;
};

const u256 kWord{~std::uint64_t{0}};

}  // namespace

TEST_CASE("u256 words round-trip and fit where cpp_int says", "[uint256]") {
  Operands ops{1};
  for (int i = 0; i < 100'000; ++i) {
    const u256 v = ops.next();
    CHECK(chain::words::to_u256(chain::words::of(v)) == v);
    CHECK(chain::words::fits_word(v) == (v <= kWord));
    CHECK(chain::words::fits_two_words(v) == ((v >> 128) == 0));
  }
  CHECK(chain::words::of(u256{0}).n == 0);
  CHECK(chain::words::of(~u256{0}).n == 4);
}

TEST_CASE("word-wise products and quotients are cpp_int's, wrapping included", "[uint256]") {
  // Edges first: zero numerators, one-word and two-word divisors at their limits, wrapping
  // products and sums, quotients of exactly 2^64 - 1 per digit.
  const std::vector<u256> edges{0,
                                1,
                                2,
                                kWord - 1,
                                kWord,
                                kWord + 1,
                                u256{1} << 127,
                                (u256{1} << 128) - 1,
                                u256{1} << 128,
                                (u256{1} << 192) + 1,
                                ~u256{0} - 1,
                                ~u256{0},
                                u256{1'000'000'000ULL} * u256{1'000'000'000'000'000'000ULL}};
  for (const auto& a : edges)
    for (const auto& b : edges)
      for (const auto& c : edges)
        for (const auto& d : edges) {
          if (d == 0) continue;
          INFO(a << " " << b << " " << c << " " << d);
          CHECK(chain::div(a, d) == a / d);
          CHECK(chain::mul_div(a, b, d) == a * b / d);
          CHECK(chain::mul_add_div(a, b, c, d) == (a * b + c) / d);
        }

  Operands ops{2};
  std::size_t two_word_divisors = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    const u256 a = ops.next();
    const u256 b = ops.next();
    const u256 c = ops.next();
    u256 d = ops.next(i % 2 == 0 ? 128 : 256);
    if (d == 0) d = 1;
    two_word_divisors += d > kWord && (d >> 128) == 0;
    const auto same = chain::div(a, d) == a / d && chain::mul_div(a, b, d) == a * b / d &&
                      chain::mul_add_div(a, b, c, d) == (a * b + c) / d;
    if (!same) {
      INFO(a << " " << b << " " << c << " " << d);
      REQUIRE(same);
    }
  }
  CHECK(two_word_divisors > 100'000);
}

TEST_CASE("operands of two words take the straight-line path exactly", "[uint256]") {
  // The shape of nearly all protocol math (balances, prices, indexes against percentages and
  // decimals, indexes as divisors): every operand here is at most 128 bits wide, so each call
  // takes the fast path, to a one-word divisor or to long division by two words.
  Operands ops{6};
  for (int i = 0; i < 1'000'000; ++i) {
    const u256 a = ops.next(128);
    const u256 b = ops.next(128);
    const u256 c = ops.next(128);
    u256 d = ops.next(64);
    if (d == 0) d = 1;
    u256 d2 = ops.next(64);
    if (d2 == 0) d2 = 7;
    u256 wide_d = ops.next(128);  // a two-word divisor: the product's words go to long division
    if (wide_d == 0) wide_d = 5;
    const bool product_fits = d * d2 / d == d2;
    const auto word = [](const u256& v) { return chain::words::low_word(v); };
    const u256 c1 = ops.next(64);
    const auto same =
        chain::words::mul_word_add_div_word(a, word(d2), word(c1), word(d)) == (a * d2 + c1) / d &&
        chain::mul_div(a, b, d) == a * b / d && chain::mul_add_div(a, b, c, d) == (a * b + c) / d &&
        chain::mul_add_div(a, b, c, wide_d) == (a * b + c) / wide_d &&
        (!product_fits || chain::mul_add_div_by_product(a, b, c, d, d2) == (a * b + c) / (d * d2));
    if (!same) {
      INFO(a << " " << b << " " << c << " " << d << " " << d2);
      REQUIRE(same);
    }
  }
  // The largest two-word operands: the product and the addend fill all four words.
  const u256 top = (u256{1} << 128) - 1;
  CHECK(chain::mul_add_div(top, top, top, 1) == top * top + top);
  CHECK(chain::mul_add_div(top, top, top, ~std::uint64_t{0}) == (top * top + top) / kWord);
  CHECK(chain::mul_div(top, top, 3) == top * top / 3);
  // Two words by one plus one, the widest: the three product words, each quotient digit a word.
  CHECK(chain::words::mul_word_add_div_word(top, ~std::uint64_t{0}, ~std::uint64_t{0}, 1) ==
        top * kWord + kWord);
  CHECK(chain::words::mul_word_add_div_word(top, ~std::uint64_t{0}, 5, 10'000) ==
        (top * kWord + 5) / 10'000);
  CHECK(chain::words::mul_word_add_div_word(0, 0, 0, 7) == 0);
}

TEST_CASE("bit widths and checked products are cpp_int's", "[uint256]") {
  CHECK(chain::words::bit_width(u256{0}) == 0);
  CHECK(chain::words::bit_width(u256{1}) == 1);
  CHECK(chain::words::bit_width(kWord) == 64);
  CHECK(chain::words::bit_width(kWord + 1) == 65);
  CHECK(chain::words::bit_width(~u256{0}) == 256);
  Operands ops{7};
  for (int i = 0; i < 1'000'000; ++i) {
    const u256 a = ops.next();
    const u256 b = ops.next(i % 2 == 0 ? 128 : 256);
    const chain::u512 wide = chain::u512{a} * chain::u512{b};
    const auto got = chain::checked_mul(a, b);
    const bool fits = wide <= chain::u512{~u256{0}};
    const bool same = chain::words::bit_width(a) == (a == 0 ? 0U : msb(a) + 1) &&
                      got.has_value() == fits && (!fits || *got == a * b);
    if (!same) {
      INFO(a << " * " << b);
      REQUIRE(same);
    }
  }
}

TEST_CASE("a checked three-factor product over two factors reverts where Solidity's does",
          "[uint256]") {
  // The reference: the exact product in 512 bits, refused past 2^256 (Solidity 0.8's checked
  // multiplication, either side) or over a zero divisor, else the floor of the quotient.
  const auto reference = [](const u256& a, const u256& b, const u256& c, const u256& d1,
                            const u256& d2) -> std::optional<u256> {
    const chain::u512 max{~u256{0}};
    const chain::u512 ab = chain::u512{a} * chain::u512{b};
    const chain::u512 d = chain::u512{d1} * chain::u512{d2};
    if (ab > max || d > max || d == 0) return std::nullopt;
    const chain::u512 abc = ab * chain::u512{c};
    if (abc > max) return std::nullopt;
    return static_cast<u256>(abc / d);
  };
  // Table: a price of 2000 USD (8 decimals) for 1.5 tokens of 18 decimals, in a 6-decimal
  // asset at 1 USD; a zero price; products just past 2^256 on each side.
  const u256 e18{1'000'000'000'000'000'000ULL};
  struct Row {
    u256 a, b, c, d1, d2;
    std::optional<u256> want;
  };
  const std::vector<Row> rows{
      {u256{200'000'000'000ULL}, e18 + e18 / 2, u256{1'000'000}, u256{100'000'000}, e18,
       u256{3'000'000'000ULL}},
      {u256{1}, u256{5}, u256{1}, u256{0}, u256{1}, std::nullopt},
      {u256{1}, u256{5}, u256{1}, u256{3}, u256{0}, std::nullopt},
      // (2^64 - 1)^2 (2^128 - 1): the widest product of the fast path's shape, which fits.
      {kWord, (u256{1} << 128) - 1, kWord, u256{1}, u256{1},
       kWord * ((u256{1} << 128) - 1) * kWord},
      {u256{2}, u256{1} << 254, u256{2}, u256{1}, u256{1}, std::nullopt},
      {u256{1} << 200, u256{1} << 60, u256{1}, u256{1}, u256{1}, std::nullopt},
      {u256{1}, u256{1}, u256{1}, u256{1} << 200, u256{1} << 60, std::nullopt},
  };
  for (const auto& row : rows) {
    INFO(row.a << " " << row.b << " " << row.c << " " << row.d1 << " " << row.d2);
    CHECK(chain::checked_mul3_div_by_product(row.a, row.b, row.c, row.d1, row.d2) == row.want);
    CHECK(reference(row.a, row.b, row.c, row.d1, row.d2) == row.want);
  }
  // Random operands, most of them of the fast path's shape (one word, two, one; one-word
  // divisors), the rest of any width.
  Operands ops{8};
  std::size_t fast = 0;
  std::size_t refused = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    const bool shaped = i % 4 != 0;
    const u256 a = ops.next(shaped ? 64 : 256);
    const u256 b = ops.next(shaped ? 128 : 256);
    const u256 c = ops.next(shaped ? 64 : 256);
    const u256 d1 = ops.next(shaped ? 64 : 256);
    const u256 d2 = ops.next(shaped ? 64 : 256);
    const auto want = reference(a, b, c, d1, d2);
    fast += shaped;
    refused += !want.has_value();
    if (chain::checked_mul3_div_by_product(a, b, c, d1, d2) != want) {
      INFO(a << " " << b << " " << c << " " << d1 << " " << d2);
      REQUIRE(chain::checked_mul3_div_by_product(a, b, c, d1, d2) == want);
    }
  }
  CHECK(fast == 750'000);
  CHECK(refused > 10'000);  // both outcomes are exercised
}

TEST_CASE("a two-word divisor's quotient digits are corrected as far as they must be",
          "[uint256]") {
  // n = q * d + r with r < d: the quotient must be q exactly, including where the estimate from
  // the top words is two too high (divisor's second word large, normalised top word small).
  std::mt19937_64 rng{3};
  Operands ops{4};
  std::size_t checked = 0;
  for (int i = 0; i < 500'000; ++i) {
    u256 d = (u256{rng() | (std::uint64_t{1} << 63)} << 64) | u256{rng()};
    d >>= static_cast<unsigned>(rng() % 64);
    if (d <= kWord) continue;
    const u256 q = ops.next(128);
    const u256 r = ops.next(128) % d;
    const u256 n = q * d + r;  // below 2^256: q under 2^128, d under 2^128
    const auto got = chain::mul_add_div(n, 1, 0, d);
    if (got != q) {
      INFO(n << " / " << d);
      REQUIRE(got == q);
    }
    ++checked;
  }
  CHECK(checked > 400'000);
}

TEST_CASE("a divisor made of two factors gives the quotient by their product", "[uint256]") {
  Operands ops{5};
  for (int i = 0; i < 500'000; ++i) {
    const u256 a = ops.next();
    const u256 b = ops.next();
    const u256 c = ops.next();
    u256 d1 = ops.next(64);
    u256 d2 = ops.next(i % 2 == 0 ? 64 : 192);
    if (d1 == 0) d1 = 1;
    if (d2 == 0) d2 = 3;
    if (d1 * d2 / d1 != d2) continue;  // the callers' products never wrap
    const auto same = chain::div_by_product(a, d1, d2) == a / (d1 * d2) &&
                      chain::mul_add_div_by_product(a, b, c, d1, d2) == (a * b + c) / (d1 * d2);
    if (!same) {
      INFO(a << " " << b << " " << c << " " << d1 << " " << d2);
      REQUIRE(same);
    }
  }
}
