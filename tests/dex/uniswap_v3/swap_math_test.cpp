#include <catch2/catch.hpp>

#include "dex/uniswap_v3/sqrt_price_math.hpp"
#include "dex/uniswap_v3/swap_math.hpp"
#include "tests/dex/uniswap_v3/test_values.hpp"

using namespace dex::uniswap_v3;
using dex_test::dec;
using dex_test::e18;
using dex_test::encode_price_sqrt;

// test/SwapMath.spec.ts, v3-core 1.0.1. amount_remaining is the spec's signed amountRemaining:
// its magnitude and kind.
TEST_CASE("computeSwapStep equals v3-core's published cases", "[uniswap][swapmath]") {
  const u256 p1 = encode_price_sqrt(1, 1);
  const u256 odd = dec("20282409603651670423947251286016");
  struct Row {
    const char* name;
    u256 price, target, liquidity, amount;
    SwapKind kind;
    std::uint32_t fee;
    const char *in, *out, *next, *fee_amount;  // next: "" to skip
  };
  const Row rows[] = {
      {"exact in capped at price target, one for zero", p1, encode_price_sqrt(101, 100), e18(2),
       e18(1), SwapKind::exact_input, 600, "9975124224178055", "9925619580021728", "",
       "5988667735148"},
      {"exact out capped at price target, one for zero", p1, encode_price_sqrt(101, 100), e18(2),
       e18(1), SwapKind::exact_output, 600, "9975124224178055", "9925619580021728", "",
       "5988667735148"},
      {"exact in fully spent, one for zero", p1, encode_price_sqrt(1000, 100), e18(2), e18(1),
       SwapKind::exact_input, 600, "999400000000000000", "666399946655997866", "",
       "600000000000000"},
      {"exact out fully received, one for zero", p1, encode_price_sqrt(10000, 100), e18(2), e18(1),
       SwapKind::exact_output, 600, "2000000000000000000", "1000000000000000000", "",
       "1200720432259356"},
      {"amount out capped at the desired amount", dec("417332158212080721273783715441582"),
       dec("1452870262520218020823638996"), dec("159344665391607089467575320103"), 1,
       SwapKind::exact_output, 1, "1", "1", "417332158212080721273783715441581", "1"},
      {"target price of 1 uses partial input", 2, 1, 1, dec("3915081100057732413702495386755767"),
       SwapKind::exact_input, 1, "39614081257132168796771975168", "0", "1",
       "39614120871253040049813"},
      {"entire input taken as fee", 2413, dec("79887613182836312"),
       dec("1985041575832132834610021537970"), 10, SwapKind::exact_input, 1872, "0", "0", "2413",
       "10"},
      {"intermediate insufficient liquidity, zero for one exact out", odd, odd * 11 / 10, 1024, 4,
       SwapKind::exact_output, 3000, "26215", "0", "", "79"},
      {"intermediate insufficient liquidity, one for zero exact out", odd, odd * 9 / 10, 1024,
       263000, SwapKind::exact_output, 3000, "1", "26214", "", "1"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    const auto step = compute_swap_step(r.price, r.target, r.liquidity, r.amount, r.kind, r.fee);
    REQUIRE(step.has_value());
    CHECK(chain::to_dec(step->amount_in) == r.in);
    CHECK(chain::to_dec(step->amount_out) == r.out);
    CHECK(chain::to_dec(step->fee_amount) == r.fee_amount);
    if (std::string_view{r.next}.empty()) continue;
    CHECK(chain::to_dec(step->sqrt_price_next) == r.next);
  }
}

TEST_CASE("computeSwapStep stops at the target or spends the whole input, as the spec asserts",
          "[uniswap][swapmath]") {
  const u256 p1 = encode_price_sqrt(1, 1);
  // Capped: the price is the target, and short of where the whole input would have taken it.
  const u256 target = encode_price_sqrt(101, 100);
  const auto capped = compute_swap_step(p1, target, e18(2), e18(1), SwapKind::exact_input, 600);
  REQUIRE(capped.has_value());
  CHECK(capped->sqrt_price_next == target);
  CHECK(capped->amount_in + capped->fee_amount < e18(1));
  CHECK(capped->sqrt_price_next <
        get_next_sqrt_price_from_input(p1, e18(2), e18(1), false).value());
  // Fully spent: the price is where the input less the fee takes it.
  const auto spent = compute_swap_step(p1, encode_price_sqrt(1000, 100), e18(2), e18(1),
                                       SwapKind::exact_input, 600);
  REQUIRE(spent.has_value());
  CHECK(spent->amount_in + spent->fee_amount == e18(1));
  CHECK(spent->sqrt_price_next ==
        get_next_sqrt_price_from_input(p1, e18(2), e18(1) - spent->fee_amount, false).value());
  // The odd-price exact-output cases end on their targets.
  const u256 odd = dec("20282409603651670423947251286016");
  CHECK(compute_swap_step(odd, odd * 11 / 10, 1024, 4, SwapKind::exact_output, 3000)
            ->sqrt_price_next == odd * 11 / 10);
  CHECK(compute_swap_step(odd, odd * 9 / 10, 1024, 263000, SwapKind::exact_output, 3000)
            ->sqrt_price_next == odd * 9 / 10);
}
