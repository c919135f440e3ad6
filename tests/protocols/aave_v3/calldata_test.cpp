#include <catch2/catch.hpp>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "protocols/aave_v3/calldata.hpp"

using chain::Address;
using chain::u256;

TEST_CASE("liquidationCall calldata equals the generic ABI encoder's, byte for byte",
          "[calldata]") {
  const Address weth = Address::from_hex("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2").value();
  const Address usdc = Address::from_hex("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48").value();
  const Address user = Address::from_hex("0x70997970C51812dc3A010C7d01b50e0d17dc79C8").value();
  struct Row {
    u256 amount;
    bool receive_a_token;
  };
  for (const Row& r :
       {Row{u256{1'234'567'890}, false}, Row{chain::kU256Max, true}, Row{0, false}}) {
    CAPTURE(chain::to_dec(r.amount), r.receive_a_token);
    const auto fast =
        protocols::aave_v3::liquidation_call_data(weth, usdc, user, r.amount, r.receive_a_token);
    const auto generic =
        chain::abi::encode_call(
            "liquidationCall(address,address,address,uint256,bool)",
            chain::abi::Values{chain::abi::Value{weth}, chain::abi::Value{usdc},
                               chain::abi::Value{user}, chain::abi::Value{r.amount},
                               chain::abi::Value{r.receive_a_token}})
            .value();
    CHECK(chain::hex_encode(fast) == chain::hex_encode(generic));
  }
  // The selector every Aave V3 liquidation starts with.
  CHECK(chain::hex_encode(protocols::aave_v3::liquidation_call_data(weth, usdc, user, 1, false))
            .substr(0, 10) == "0x00a718a9");
}
