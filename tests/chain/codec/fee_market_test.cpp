#include <catch2/catch.hpp>

#include "chain/fee_market.hpp"

using chain::u256;

TEST_CASE("the next base fee follows EIP-1559 from the parent alone", "[fee]") {
  struct Row {
    const char* what;
    std::uint64_t base_fee;
    std::uint64_t gas_used;
    std::uint64_t gas_limit;
    std::uint64_t expected;
  };
  const Row rows[] = {
      {"at the target: unchanged", 1'000'000'000, 15'000'000, 30'000'000, 1'000'000'000},
      {"empty block: -12.5%", 1'000'000'000, 0, 30'000'000, 875'000'000},
      {"full block: +12.5%", 1'000'000'000, 30'000'000, 30'000'000, 1'125'000'000},
      {"a quarter over target", 800'000'000, 18'750'000, 30'000'000, 825'000'000},
      // An increase is at least one wei, even when the fraction rounds to zero.
      {"tiny base fee rises by 1 wei", 7, 15'000'001, 30'000'000, 8},
      // A decrease may round to zero: 7 wei stays 7 one gas under target.
      {"tiny base fee below target", 7, 14'999'999, 30'000'000, 7},
      {"no gas limit: unchanged", 5, 0, 0, 5},
      {"an odd gas limit", 1'000'000'000, 30'025'257, 30'029'122, 1'124'967'822},
  };
  for (const auto& r : rows) {
    CAPTURE(r.what);
    CHECK(chain::next_base_fee(u256{r.base_fee}, r.gas_used, r.gas_limit) == u256{r.expected});
  }
}

TEST_CASE("the effective gas price is the tip over the base fee, capped by the max fee", "[fee]") {
  CHECK(chain::effective_gas_price(u256{10}, u256{100}, u256{5}) == u256{15});
  CHECK(chain::effective_gas_price(u256{10}, u256{12}, u256{5}) == u256{12});
  CHECK(chain::effective_gas_price(u256{10}, u256{9}, u256{5}) == u256{0});
}
