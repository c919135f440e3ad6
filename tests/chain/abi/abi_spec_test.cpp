#include <catch2/catch.hpp>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"

using namespace chain;
using namespace chain::abi;

namespace {

Bytes b(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string words(std::initializer_list<std::string_view> ws) {
  std::string out;
  for (const auto w : ws) out += w;
  return out;
}

}  // namespace

TEST_CASE("ABI encodes the worked examples of the Solidity ABI specification", "[abi]") {
  struct Row {
    std::string_view signature;
    Values args;
    std::string expected;  // selector + words, hex without 0x
  };
  const std::vector<Row> rows{
      {"baz(uint32,bool)",
       {Value{69ULL}, Value{true}},
       words({"cdcd77c0", "0000000000000000000000000000000000000000000000000000000000000045",
              "0000000000000000000000000000000000000000000000000000000000000001"})},
      {"bar(bytes3[2])",
       {Value{Values{Value{b("abc")}, Value{b("def")}}}},
       words({"fce353f6", "6162630000000000000000000000000000000000000000000000000000000000",
              "6465660000000000000000000000000000000000000000000000000000000000"})},
      {"sam(bytes,bool,uint256[])",
       {Value{b("dave")}, Value{true}, Value{Values{Value{1ULL}, Value{2ULL}, Value{3ULL}}}},
       words({"a5643bf2", "0000000000000000000000000000000000000000000000000000000000000060",
              "0000000000000000000000000000000000000000000000000000000000000001",
              "00000000000000000000000000000000000000000000000000000000000000a0",
              "0000000000000000000000000000000000000000000000000000000000000004",
              "6461766500000000000000000000000000000000000000000000000000000000",
              "0000000000000000000000000000000000000000000000000000000000000003",
              "0000000000000000000000000000000000000000000000000000000000000001",
              "0000000000000000000000000000000000000000000000000000000000000002",
              "0000000000000000000000000000000000000000000000000000000000000003"})},
      {"f(uint256,uint32[],bytes10,bytes)",
       {Value{0x123ULL}, Value{Values{Value{0x456ULL}, Value{0x789ULL}}}, Value{b("1234567890")},
        Value{b("Hello, world!")}},
       words({"8be65246", "0000000000000000000000000000000000000000000000000000000000000123",
              "0000000000000000000000000000000000000000000000000000000000000080",
              "3132333435363738393000000000000000000000000000000000000000000000",
              "00000000000000000000000000000000000000000000000000000000000000e0",
              "0000000000000000000000000000000000000000000000000000000000000002",
              "0000000000000000000000000000000000000000000000000000000000000456",
              "0000000000000000000000000000000000000000000000000000000000000789",
              "000000000000000000000000000000000000000000000000000000000000000d",
              "48656c6c6f2c20776f726c642100000000000000000000000000000000000000"})},
      {"g(uint256[][],string[])",
       {Value{Values{Value{Values{Value{1ULL}, Value{2ULL}}}, Value{Values{Value{3ULL}}}}},
        Value{Values{Value{"one"}, Value{"two"}, Value{"three"}}}},
       words({"2289b18c",
              "0000000000000000000000000000000000000000000000000000000000000040",
              "0000000000000000000000000000000000000000000000000000000000000140",
              "0000000000000000000000000000000000000000000000000000000000000002",
              "0000000000000000000000000000000000000000000000000000000000000040",
              "00000000000000000000000000000000000000000000000000000000000000a0",
              "0000000000000000000000000000000000000000000000000000000000000002",
              "0000000000000000000000000000000000000000000000000000000000000001",
              "0000000000000000000000000000000000000000000000000000000000000002",
              "0000000000000000000000000000000000000000000000000000000000000001",
              "0000000000000000000000000000000000000000000000000000000000000003",
              "0000000000000000000000000000000000000000000000000000000000000003",
              "0000000000000000000000000000000000000000000000000000000000000060",
              "00000000000000000000000000000000000000000000000000000000000000a0",
              "00000000000000000000000000000000000000000000000000000000000000e0",
              "0000000000000000000000000000000000000000000000000000000000000003",
              "6f6e650000000000000000000000000000000000000000000000000000000000",
              "0000000000000000000000000000000000000000000000000000000000000003",
              "74776f0000000000000000000000000000000000000000000000000000000000",
              "0000000000000000000000000000000000000000000000000000000000000005",
              "7468726565000000000000000000000000000000000000000000000000000000"})},
  };
  for (const auto& row : rows) {
    CAPTURE(row.signature);
    auto f = parse_function(row.signature);
    REQUIRE(f.has_value());
    auto call = f->encode_call(row.args);
    REQUIRE(call.has_value());
    CHECK(hex_encode(*call, false) == row.expected);
    // Decoding the arguments gives the values back, using exactly the bytes encoded.
    auto decoded = decode_exact(f->inputs, BytesView{*call}.subspan(4));
    REQUIRE(decoded.has_value());
    CHECK(*decoded == row.args);
  }
}

TEST_CASE("selectors and event topics", "[abi]") {
  CHECK(hex_encode(selector("transfer(address,uint256)")) == "0xa9059cbb");
  CHECK(hex_encode(selector("balanceOf(address)")) == "0x70a08231");
  CHECK(hex_encode(selector("liquidationCall(address,address,address,uint256,bool)")) ==
        "0x00a718a9");
  CHECK(hex_encode(selector("getUserAccountData(address)")) == "0xbf92857c");
  auto transfer = parse_event("Transfer(address indexed from,address indexed to,uint256 value)");
  REQUIRE(transfer.has_value());
  CHECK(hex_encode(transfer->topic0) ==
        "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
}

TEST_CASE("a Transfer log decodes into named values", "[abi]") {
  auto transfer = parse_event("Transfer(address indexed from,address indexed to,uint256 value)");
  REQUIRE(transfer.has_value());
  const Address from = *Address::from_hex("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  const Address to = *Address::from_hex("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  Hash t1{}, t2{};
  std::copy(from.bytes.begin(), from.bytes.end(), t1.begin() + 12);
  std::copy(to.bytes.begin(), to.bytes.end(), t2.begin() + 12);
  const std::vector<Hash> topics{transfer->topic0, t1, t2};
  const Hash amount = to_be32(u256{1'000'000});
  auto decoded = decode_log(*transfer, topics, amount);
  REQUIRE(decoded.has_value());
  REQUIRE(decoded->size() == 3);
  CHECK((*decoded)[0].name == "from");
  CHECK((*decoded)[0].value.as_address() == from);
  CHECK((*decoded)[1].value.as_address() == to);
  CHECK((*decoded)[2].value.as_uint() == 1'000'000);

  const std::vector<Hash> missing{transfer->topic0, t1};
  CHECK(decode_log(*transfer, missing, amount).error() == AbiError::topic_mismatch);
}

TEST_CASE("malformed ABI data yields the designed error", "[abi]") {
  const auto word = [](std::string_view hex) {
    return std::string(64 - hex.size(), '0') + std::string{hex};
  };
  struct Row {
    const char* name;
    std::string types;
    std::string hex;
    AbiError expected;
  };
  const std::vector<Row> rows{
      {"truncated static", "uint256,uint256", word("1"), AbiError::truncated},
      {"offset outside", "bytes", word("1000"), AbiError::bad_offset},
      {"offset near 2^256", "bytes", std::string(64, 'f'), AbiError::bad_offset},
      {"length beyond data", "bytes", word("20") + word("ffff"), AbiError::bad_length},
      {"array length huge", "uint256[]", word("20") + word("ffffffffffffffff"),
       AbiError::bad_length},
      {"dirty address", "address", "01" + std::string(62, '0'), AbiError::dirty_padding},
      {"bool = 2", "bool", word("2"), AbiError::bad_bool},
      {"uint8 = 256", "uint8", word("100"), AbiError::dirty_padding},
      {"int8 = 128", "int8", word("80"), AbiError::dirty_padding},
      {"bytes2 dirty tail", "bytes2", "abcd01" + std::string(58, '0'), AbiError::dirty_padding},
      {"bytes dirty padding", "bytes", word("20") + word("1") + "ab" + std::string(60, '0') + "01",
       AbiError::dirty_padding},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    auto types = parse_type_list(row.types);
    REQUIRE(types.has_value());
    const Bytes data = *hex_decode(row.hex, HexPrefix::forbidden);
    auto v = decode(*types, data);
    REQUIRE_FALSE(v.has_value());
    CHECK(v.error() == row.expected);
  }
  // int8 -1 is fine: sign-extended.
  const Type int8[] = {Type::int_(8)};
  const Bytes minus_one(32, 0xff);
  CHECK(decode(int8, minus_one).value()[0].as_int() == -1);
}

TEST_CASE("type strings parse strictly", "[abi]") {
  for (const auto good : {"uint8", "int256", "bytes32", "address[]", "uint32[3]",
                          "(address,bool)[]", "((uint256,bytes)[2],string)", "uint8[2][3]"}) {
    CAPTURE(good);
    auto t = parse_type(good);
    REQUIRE(t.has_value());
    CHECK(t->canonical() == good);
  }
  CHECK(parse_type("uint")->canonical() == "uint256");
  for (const auto bad : {"uint7", "uint264", "bytes33", "bytes0", "(uint256", "uint256)", "uint[",
                         "uint256[0]", "foo", "", "uint08", "(,)"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_type(bad).has_value());
  }
  CHECK(parse_type(std::string(100, '(') + "uint8" + std::string(100, ')')).error() ==
        AbiError::too_deep);
}

TEST_CASE("encoding refuses values that do not fit their type", "[abi]") {
  const Type u8[] = {Type::uint(8)};
  CHECK(encode(u8, Values{Value{256ULL}}).error() == AbiError::value_mismatch);
  CHECK(encode(u8, Values{Value{true}}).error() == AbiError::value_mismatch);
  const Type b3[] = {Type::fixed_bytes(3)};
  CHECK(encode(b3, Values{Value{b("abcd")}}).error() == AbiError::value_mismatch);
  const Type i8[] = {Type::int_(8)};
  CHECK(encode(i8, Values{Value::from_int(-128)}).has_value());
  CHECK(encode(i8, Values{Value::from_int(-129)}).error() == AbiError::value_mismatch);
}
