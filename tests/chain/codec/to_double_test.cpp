// chain::to_double against the C library's correctly rounded decimal parser: the nearest double
// (ties to even) for every width, for the ties and near-ties where a bit far below the top words
// decides the rounding, and for random values.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>

#include "chain/uint256.hpp"

using chain::u256;

namespace {

double nearest(const u256& v) { return std::strtod(chain::to_dec(v).c_str(), nullptr); }

u256 pow2(unsigned n) { return u256{1} << n; }

}  // namespace

TEST_CASE("to_double is the nearest double, ties to even", "[uint256]") {
  struct Row {
    const char* what;
    u256 value;
  };
  // 2^k has 53 significant bits up to 2^(k-52); the tie sits at half that, 2^(k-53).
  const Row rows[] = {
      {"zero", 0},
      {"one", 1},
      {"2^53 + 1: a tie, to even (down)", pow2(53) + 1},
      {"2^53 + 3: a tie, to even (up)", pow2(53) + 3},
      {"all ones in one word", ~std::uint64_t{0}},
      {"all ones in two words", pow2(128) - 1},
      {"2^127 + a tie two words down", pow2(127) + pow2(74)},
      {"a tie at 2^200, nothing below: down", pow2(200) + pow2(147)},
      {"a tie at 2^200 with the lowest bit set: up", pow2(200) + pow2(147) + 1},
      {"just under a tie at 2^200: down", pow2(200) + pow2(147) - 1},
      {"a tie on an odd mantissa at 2^255: up", pow2(255) + pow2(203) + pow2(202)},
      {"all ones: 2^256 rounded", chain::kU256Max},
      {"a tie three words down with the lowest bit set", pow2(255) + pow2(202) + 1},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(chain::to_double(row.value) == nearest(row.value));
  }
  // Random values of every width, and ties (a round bit with nothing, or one low bit, below).
  std::mt19937_64 rng{20261203};
  for (int i = 0; i < 200'000; ++i) {
    const unsigned bits = 1 + static_cast<unsigned>(rng() % 256);
    u256 v = 0;
    for (int w = 0; w < 4; ++w) v = (v << 64) | u256{rng()};
    if (bits < 256) v &= pow2(bits) - 1;
    v |= pow2(bits - 1);
    if (bits > 54 && i % 2 == 0) {
      const unsigned round_bit = bits - 54;
      v &= ~(pow2(round_bit + 1) - 1);
      v |= pow2(round_bit);
      if (i % 4 == 0) v |= 1;
    }
    INFO(chain::to_dec(v));
    REQUIRE(chain::to_double(v) == nearest(v));
  }
}
