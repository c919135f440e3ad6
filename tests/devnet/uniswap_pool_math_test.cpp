#include <catch2/catch.hpp>

#include "keeper/devnet/uniswap_pool_math.hpp"

using chain::Address;
using chain::u256;
using namespace keeper::devnet;

namespace {

u256 dec(const char* text) { return chain::u256_from_dec(text).value(); }
u256 usd(std::uint64_t dollars) { return u256{dollars} * 100'000'000; }  // an 8-decimal answer

}  // namespace

TEST_CASE("the sqrt price of a pool at the oracle's prices", "[devnet][uniswap]") {
  // Expected: floor(isqrt(answer0 * 10^d1 * 2^192 / (answer1 * 10^d0))), by Python's math.isqrt.
  struct Row {
    const char* name;
    PricedToken token0;
    PricedToken token1;
    u256 sqrt_price_x96;
    double price;  // token1 per token0, whole tokens
  };
  const std::vector<Row> rows{
      {"WETH $2000 / USDC $1",
       {usd(2000), 18},
       {usd(1), 6},
       dec("3543191142285914205922034"),
       2000.0},
      {"USDC $1 / WETH $2000",
       {usd(1), 6},
       {usd(2000), 18},
       dec("1771595571142957102961017161607260"),
       0.0005},
      {"WBTC $60000 / USDC $1",
       {usd(60000), 8},
       {usd(1), 6},
       dec("1940685714182491852533977682922"),
       60000.0},
      {"DAI $1 / USDC $1", {usd(1), 18}, {usd(1), 6}, dec("79228162514264337593543"), 1.0},
      {"USDC $1 / DAI $1",
       {usd(1), 6},
       {usd(1), 18},
       dec("79228162514264337593543950336000000"),
       1.0},
      {"WETH $1500 / WBTC $60000",
       {usd(1500), 18},
       {usd(60000), 8},
       dec("125270724187523965593206"),
       0.025},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto sqrt_price = oracle_sqrt_price_x96(row.token0, row.token1);
    REQUIRE(sqrt_price.has_value());
    CHECK(*sqrt_price == row.sqrt_price_x96);
    CHECK(price_of_token0(*sqrt_price, row.token0.decimals, row.token1.decimals) ==
          Approx(row.price).epsilon(1e-12));
  }
}

TEST_CASE("prices a pool cannot hold are refused", "[devnet][uniswap]") {
  CHECK_FALSE(oracle_sqrt_price_x96({u256{0}, 18}, {usd(1), 6}).has_value());
  CHECK_FALSE(oracle_sqrt_price_x96({usd(1), 18}, {u256{0}, 6}).has_value());
  // 10^-60 of a token1 per token0: below TickMath.MIN_SQRT_RATIO.
  CHECK_FALSE(oracle_sqrt_price_x96({u256{1}, 60}, {usd(1), 0}).has_value());
  // and 10^60 above MAX_SQRT_RATIO
  CHECK_FALSE(oracle_sqrt_price_x96({usd(1), 0}, {u256{1}, 60}).has_value());
  // The widest inputs do not wrap around into a plausible price: they are refused.
  CHECK_FALSE(oracle_sqrt_price_x96({chain::kU256Max, 255}, {u256{1}, 0}).has_value());
  CHECK_FALSE(oracle_sqrt_price_x96({chain::kU256Max, 77}, {chain::kU256Max, 78}).has_value());
  CHECK(oracle_sqrt_price_x96({chain::kU256Max, 77}, {chain::kU256Max, 77}).value() == u256{1}
                                                                                           << 96);
}

TEST_CASE("full-range ticks per fee tier", "[devnet][uniswap]") {
  using Ticks = std::pair<std::int32_t, std::int32_t>;
  CHECK(full_range_ticks(100) == Ticks{-887272, 887272});
  CHECK(full_range_ticks(500) == Ticks{-887270, 887270});
  CHECK(full_range_ticks(3000) == Ticks{-887220, 887220});
  CHECK(full_range_ticks(10000) == Ticks{-887200, 887200});
  CHECK_FALSE(full_range_ticks(2500).has_value());
  CHECK_FALSE(full_range_ticks(0).has_value());
}

TEST_CASE("pool addresses are the factory's CREATE2 addresses", "[devnet][uniswap]") {
  // Mainnet's factory and three of its pools, as Etherscan lists them.
  const auto a = [](const char* hex) { return Address::from_hex(hex).value(); };
  const Address factory = a("0x1F98431c8aD98523631AE4a59f267346ea31F984");
  const Address usdc = a("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48");
  const Address weth = a("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2");
  const Address dai = a("0x6B175474E89094C44Da98b954EedeAC495271d0F");
  CHECK(pool_address(factory, usdc, weth, 500) == a("0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640"));
  CHECK(pool_address(factory, usdc, weth, 3000) == a("0x8ad599c3A0ff1De082011EFDDc58f1908eb6e6D8"));
  CHECK(pool_address(factory, dai, usdc, 100) == a("0x5777d92f208679DB4b9778590Fa3CAB3aC9e2168"));
}
