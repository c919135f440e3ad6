#include <catch2/catch.hpp>

#include "chain/address.hpp"
#include "chain/hex.hpp"
#include "chain/uint256.hpp"

using namespace chain;

TEST_CASE("EIP-55 checksums of the examples in the EIP", "[address]") {
  // Each example is its own checksummed form; all-caps and all-lower ones are accepted as is.
  const std::string_view normal[] = {
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
      "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"};
  for (const auto text : normal) {
    CAPTURE(text);
    auto a = Address::from_hex(text);
    REQUIRE(a.has_value());
    CHECK(a->checksummed() == text);
  }
  const std::string_view caps_or_lower[] = {
      "0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
      "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26"};
  for (const auto text : caps_or_lower) {
    CAPTURE(text);
    REQUIRE(Address::from_hex(text).has_value());
  }
  CHECK(Address::from_hex("0x52908400098527886E0F7030069857D2E4169EE7")->checksummed() ==
        "0x52908400098527886E0F7030069857D2E4169EE7");
  CHECK(Address::from_hex("0xde709f2102306220921060314715629080e2fb77")->checksummed() ==
        "0xde709f2102306220921060314715629080e2fb77");
}

TEST_CASE("malformed addresses are rejected with the reason", "[address]") {
  struct Row {
    std::string_view text;
    AddressError expected;
  };
  const Row rows[] = {
      {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", AddressError::bad_checksum},  // last char case
      {"0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed", AddressError::bad_checksum},
      {"5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", AddressError::missing_prefix},
      {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", AddressError::wrong_length},
      {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00", AddressError::wrong_length},
      {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", AddressError::bad_digit},
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    auto a = Address::from_hex(row.text);
    REQUIRE_FALSE(a.has_value());
    CHECK(a.error() == row.expected);
  }
}

TEST_CASE("hex decoding is strict", "[hex]") {
  struct Row {
    std::string_view text;
    HexPrefix prefix;
    HexError expected;
  };
  const Row rows[] = {
      {"0xabc", HexPrefix::required, HexError::odd_length},
      {"0xzz", HexPrefix::required, HexError::bad_digit},
      {"abcd", HexPrefix::required, HexError::missing_prefix},
      {"0xabcd", HexPrefix::forbidden, HexError::unexpected_prefix},
      {"0x12 34", HexPrefix::required, HexError::odd_length},
      {"0x12 3", HexPrefix::required, HexError::bad_digit},
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    auto b = hex_decode(row.text, row.prefix);
    REQUIRE_FALSE(b.has_value());
    CHECK(b.error() == row.expected);
  }
  CHECK(hex_decode("0x").value().empty());
  CHECK(hex_decode("DEADbeef", HexPrefix::optional).value() == Bytes{0xde, 0xad, 0xbe, 0xef});
  CHECK(hex_encode(Bytes{0x00, 0xff}) == "0x00ff");
  CHECK(hex_decode_fixed<2>("0x0011").has_value());
  CHECK(hex_decode_fixed<2>("0x001122").error() == HexError::wrong_length);
}

TEST_CASE("uint256 text and byte conversions", "[uint256]") {
  const std::string max_dec =
      "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  CHECK(to_dec(u256_from_dec(max_dec).value()) == max_dec);
  CHECK(u256_from_dec(max_dec).value() == kU256Max);
  CHECK(u256_from_dec(
            "115792089237316195423570985008687907853269984665640564039457584007913129639936")
            .error() == NumberError::overflow);
  CHECK(u256_from_hex("0x" + std::string(64, 'f')).value() == kU256Max);
  CHECK(u256_from_hex("0x1" + std::string(64, '0')).error() == NumberError::overflow);
  CHECK(u256_from_hex("0x000000000000000000000000000000000000000000000000000000000000000000001")
            .value() == 1);
  CHECK(u256_from_hex("0x").error() == NumberError::empty);
  CHECK(u256_from_hex("12").error() == NumberError::missing_prefix);
  CHECK(u256_from_hex("0x1g").error() == NumberError::bad_digit);
  CHECK(u256_from_dec("").error() == NumberError::empty);
  CHECK(u256_from_dec("-1").error() == NumberError::bad_digit);
  CHECK(u256_from_dec("1 ").error() == NumberError::bad_digit);
  CHECK(u256_from_string("0x10").value() == 16);
  CHECK(u256_from_string("10").value() == 10);

  CHECK(to_hex_quantity(0) == "0x0");
  CHECK(to_hex_quantity(u256{0x1f}) == "0x1f");
  const u256 v =
      u256_from_hex("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20").value();
  const Hash be = to_be32(v);
  CHECK(be[0] == 0x01);
  CHECK(be[31] == 0x20);
  CHECK(from_be(be).value() == v);
  CHECK(to_be_minimal(u256{0x0400}) == Bytes{0x04, 0x00});
  CHECK(to_be_minimal(0).empty());
  CHECK_FALSE(from_be(Bytes(33, 0)).has_value());

  CHECK_FALSE(checked_add(kU256Max, 1).has_value());
  CHECK(checked_add(kU256Max - 1, 1).value() == kU256Max);
  CHECK_FALSE(checked_sub(1, 2).has_value());
  CHECK_FALSE(checked_mul(u256{1} << 128, u256{1} << 128).has_value());
  CHECK(checked_mul(u256{1} << 127, u256{2}).value() == (u256{1} << 128));
}
