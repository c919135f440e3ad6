#include <catch2/catch.hpp>

#include "chain/abi/calldata.hpp"
#include "chain/hex.hpp"

using namespace chain;
using namespace chain::abi;

namespace {

constexpr std::string_view kLiquidationCall =
    "liquidationCall(address,address,address,uint256,bool)";

Address address(std::string_view hex) { return Address::from_hex(hex).value(); }

// A competitor liquidating a WETH-collateral / USDC-debt position, as it would reach the mempool.
const Values kArgs{
    Value{address("0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2")},  // collateral: WETH
    Value{address("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")},  // debt: USDC
    Value{address("0x70997970c51812dc3a010c7d01b50e0d17dc79c8")},  // borrower
    Value{u256{1'500'000'000ULL}},                                 // 1,500 USDC of debt to cover
    Value{false},  // take the underlying, not aTokens
};

Bytes liquidation_calldata() { return encode_call(kLiquidationCall, kArgs).value(); }

}  // namespace

TEST_CASE("an Aave liquidationCall's calldata decodes back to its arguments", "[abi][calldata]") {
  const Bytes input = liquidation_calldata();
  REQUIRE(hex_encode(BytesView{input}.first(4)) == "0x00a718a9");  // Aave V3 Pool's selector
  REQUIRE(input.size() == 4 + 5 * 32);

  const auto call = decode_call(input, kLiquidationCall);
  REQUIRE(call.has_value());
  CHECK(call->selector == selector(kLiquidationCall));
  CHECK(call->args == kArgs);
  CHECK(call->args[2].as_address() == address("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"));
  CHECK(call->args[3].as_uint() == 1'500'000'000ULL);
  CHECK_FALSE(call->args[4].as_bool());

  // The pre-parsed overload agrees, for callers that match many transactions.
  const auto function = parse_function(kLiquidationCall).value();
  const auto again = decode_call(BytesView{input}, function);
  REQUIRE(again.has_value());
  CHECK(again->args == kArgs);
}

TEST_CASE("calldata for another function is not decoded as the one asked for", "[abi][calldata]") {
  const Bytes input = liquidation_calldata();
  // Same argument types, other function: only the selector tells them apart.
  CHECK_FALSE(decode_call(input, "flashLiquidate(address,address,address,uint256,bool)"));
  Bytes flipped = input;
  flipped[3] ^= 0x01;
  CHECK_FALSE(decode_call(flipped, kLiquidationCall));
  CHECK_FALSE(decode_call(input, "not a signature"));
}

TEST_CASE("truncated or dirty calldata is rejected, trailing bytes are allowed",
          "[abi][calldata]") {
  const Bytes input = liquidation_calldata();
  CHECK_FALSE(decode_call(Bytes{}, kLiquidationCall));
  CHECK_FALSE(decode_call(Bytes(input.begin(), input.begin() + 3), kLiquidationCall));
  CHECK_FALSE(decode_call(Bytes(input.begin(), input.begin() + 4), kLiquidationCall));
  CHECK_FALSE(decode_call(Bytes(input.begin(), input.end() - 1), kLiquidationCall));

  Bytes bad_bool = input;
  bad_bool.back() = 0x02;  // a bool word other than 0 or 1
  CHECK_FALSE(decode_call(bad_bool, kLiquidationCall));
  Bytes dirty_address = input;
  dirty_address[4] = 0x01;  // a bit set in the padding above the first address
  CHECK_FALSE(decode_call(dirty_address, kLiquidationCall));

  // The Pool's own decoder ignores bytes after the arguments, so such a call still liquidates.
  Bytes longer = input;
  longer.insert(longer.end(), {0xde, 0xad});
  const auto call = decode_call(longer, kLiquidationCall);
  REQUIRE(call.has_value());
  CHECK(call->args == kArgs);
}

TEST_CASE("a call without arguments is its selector alone", "[abi][calldata]") {
  const Bytes input = encode_call("latestRoundData()", {}).value();
  REQUIRE(input.size() == 4);
  const auto call = decode_call(input, "latestRoundData()");
  REQUIRE(call.has_value());
  CHECK(call->args.empty());
}
