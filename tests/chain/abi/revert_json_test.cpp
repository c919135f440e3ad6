#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "chain/abi/revert.hpp"
#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "keeper/process/source_dir.hpp"

using namespace chain;
using namespace chain::abi;

TEST_CASE("revert data decodes Error(string), Panic and custom errors", "[abi][revert]") {
  const Values msg{Value{"Insufficient balance"}};
  auto error_data = encode_call("Error(string)", msg);
  REQUIRE(error_data.has_value());
  CHECK(hex_encode(BytesView{*error_data}.first(4)) == "0x08c379a0");
  auto r = decode_revert(*error_data);
  CHECK(r.kind == Revert::Kind::error_string);
  CHECK(r.message == "Insufficient balance");

  // Aave reverts with numeric codes: 45 = HEALTH_FACTOR_NOT_BELOW_THRESHOLD.
  auto aave = decode_revert(*encode_call("Error(string)", Values{Value{"45"}}));
  CHECK(aave.to_string() == "Error(\"45\")");

  auto panic = decode_revert(*encode_call("Panic(uint256)", Values{Value{0x11ULL}}));
  CHECK(panic.kind == Revert::Kind::panic);
  CHECK(panic.panic_code == 0x11);
  CHECK(panic.to_string() == "Panic(0x11: arithmetic overflow or underflow)");

  const Bytes custom =
      *hex_decode("0xdeadbeef0000000000000000000000000000000000000000000000000000000000000001");
  auto c = decode_revert(custom);
  CHECK(c.kind == Revert::Kind::custom);
  CHECK(hex_encode(c.selector) == "0xdeadbeef");
  CHECK(c.data.size() == 32);

  CHECK(decode_revert({}).kind == Revert::Kind::empty);
  CHECK(decode_revert(*hex_decode("0x08c379")).kind == Revert::Kind::malformed);
  CHECK(decode_revert(*hex_decode("0x08c379a0ff")).kind == Revert::Kind::malformed);
}

TEST_CASE("functions and events load from the real Aave Pool JSON ABI", "[abi][json]") {
  std::ifstream in(
      ::keeper::process::source_dir() +
      "/node_modules/@aave/core-v3/artifacts/contracts/protocol/pool/Pool.sol/Pool.json");
  REQUIRE(in.good());
  const auto artifact = nlohmann::json::parse(in);
  std::optional<Function> get_reserve_data;
  std::optional<Event> borrow;
  for (const auto& entry : artifact["abi"]) {
    if (entry["type"] == "function" && entry["name"] == "getReserveData")
      get_reserve_data = function_from_json(entry).value();
    if (entry["type"] == "event" && entry["name"] == "Borrow")
      borrow = event_from_json(entry).value();
  }
  REQUIRE(get_reserve_data);
  CHECK(get_reserve_data->signature() == "getReserveData(address)");
  REQUIRE(get_reserve_data->outputs.size() == 1);
  CHECK(get_reserve_data->outputs[0].canonical() ==
        "((uint256),uint128,uint128,uint128,uint128,uint128,uint40,uint16,address,address,address,"
        "address,uint128,uint128,uint128)");
  CHECK(hex_encode(get_reserve_data->selector) == "0x35ea6a75");
  REQUIRE(borrow);
  CHECK(borrow->signature() == "Borrow(address,address,address,uint256,uint8,uint256,uint16)");
  CHECK(borrow->params[0].indexed);
  CHECK_FALSE(borrow->params[1].indexed);
  CHECK(borrow->params[6].name == "referralCode");

  CHECK(function_from_json(nlohmann::json::parse(R"({"inputs": 3})")).error() ==
        AbiError::bad_json);
  CHECK(function_from_json(nlohmann::json::parse(R"({"name":"f","inputs":[{"type":"tuple"}]})"))
            .error() == AbiError::bad_json);
}
