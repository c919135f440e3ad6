#include <catch2/catch.hpp>

#include "chain/hex.hpp"
#include "keeper/liquidator/liquidator_calls.hpp"

using namespace keeper::liquidator;

TEST_CASE("liquidate call data is the contract's selector and seven words in order",
          "[liquidator]") {
  LiquidateArgs args;
  args.collateral = chain::Address::from_hex("0x00000000000000000000000000000000000000c1").value();
  args.debt = chain::Address::from_hex("0x00000000000000000000000000000000000000d1").value();
  args.user = chain::Address::from_hex("0x00000000000000000000000000000000000000e1").value();
  args.debt_to_cover = 1000;
  args.variable_debt_token =
      chain::Address::from_hex("0x00000000000000000000000000000000000000f1").value();
  args.min_scaled_debt = 77;
  args.receive_a_token = true;
  const auto data = liquidate_calldata(args).value();
  REQUIRE(data.size() == 4 + 7 * 32);
  const auto selector = chain::abi::selector(kLiquidateSignature);
  CHECK(std::equal(selector.begin(), selector.end(), data.begin()));
  const auto word = [&](std::size_t i) {
    return chain::hex_encode(chain::BytesView{data}.subspan(4 + 32 * i, 32), false);
  };
  CHECK(word(0) == std::string(62, '0') + "c1");
  CHECK(word(1) == std::string(62, '0') + "d1");
  CHECK(word(2) == std::string(62, '0') + "e1");
  CHECK(word(3) == std::string(61, '0') + "3e8");
  CHECK(word(4) == std::string(62, '0') + "f1");
  CHECK(word(5) == std::string(62, '0') + "4d");
  CHECK(word(6) == std::string(63, '0') + "1");
}

TEST_CASE("withdraw and sweep call data", "[liquidator]") {
  const chain::Address token =
      chain::Address::from_hex("0x00000000000000000000000000000000000000aa").value();
  const auto withdraw = withdraw_calldata(token, 5).value();
  CHECK(chain::hex_encode(withdraw) ==
        "0xf3fef3a3" + std::string(62, '0') + "aa" + std::string(63, '0') + "5");
  const auto sweep = sweep_calldata(chain::Address{}).value();
  CHECK(chain::hex_encode(sweep) == "0x01681a62" + std::string(64, '0'));
}
