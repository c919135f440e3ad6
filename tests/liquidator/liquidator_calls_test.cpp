#include <catch2/catch.hpp>

#include <cstring>

#include "chain/hex.hpp"
#include "keeper/liquidator/liquidator_calls.hpp"
#include "keeper/liquidator/swap_path.hpp"

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

TEST_CASE("flash liquidation call data is one tuple with the path as its dynamic tail",
          "[liquidator]") {
  const auto address = [](const char* low_byte) {
    return chain::Address::from_hex(std::string(40 - 2, '0').insert(0, "0x") + low_byte).value();
  };
  const std::vector<SwapHop> hops{{500, address("b1")}, {100, address("d1")}};
  FlashLiquidateArgs args;
  args.collateral = address("c1");
  args.debt = address("d1");
  args.user = address("e1");
  args.debt_to_cover = 1000;
  args.variable_debt_token = address("f1");
  args.min_scaled_debt = 77;
  args.router = address("a1");
  args.path = encode_swap_path(args.collateral, hops).value();
  args.amount_out_minimum = 5000;
  args.min_profit = 12;
  // As `cast calldata` encodes the same call: selector, head offset, ten tuple fields (the path's
  // as an offset from the tuple's start), then the path's length and bytes padded to 32.
  const std::string zeros40 = std::string(38, '0');
  const std::string path_hex =
      zeros40 + "c1" + "0001f4" + zeros40 + "b1" + "000064" + zeros40 + "d1" + std::string(60, '0');
  const auto word = [](const char* low) { return std::string(64 - std::strlen(low), '0') + low; };
  const std::string expected = "0xafd878eb" + word("20") + word("c1") + word("d1") + word("e1") +
                               word("3e8") + word("f1") + word("4d") + word("a1") + word("140") +
                               word("1388") + word("c") + word("42") + path_hex;
  CHECK(chain::hex_encode(flash_liquidate_calldata(args).value()) == expected);
  const auto selector = chain::abi::selector(kLiquidateWithFlashLoanSignature);
  CHECK(chain::hex_encode(chain::BytesView{selector}) == "0xafd878eb");
}
