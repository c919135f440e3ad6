#include <catch2/catch.hpp>

#include "chain/hex.hpp"
#include "chain/rlp.hpp"

using namespace chain;

namespace {

Bytes str(std::string_view s) { return Bytes(s.begin(), s.end()); }
Bytes list(std::initializer_list<Bytes> encoded_items) {
  Bytes payload;
  for (const auto& e : encoded_items) append(payload, e);
  Bytes out;
  rlp::encode_list_payload(out, payload);
  return out;
}
Bytes enc(std::string_view s) { return rlp::encoded_bytes(as_bytes(s)); }
Bytes enc_uint(std::uint64_t v) {
  Bytes out;
  rlp::encode_uint(out, v);
  return out;
}

}  // namespace

TEST_CASE("RLP encodes the examples of the Ethereum RLP specification", "[rlp]") {
  const Bytes empty_list = list({});
  const Bytes set_theoretic_two = list({empty_list});  // [ [] ]
  struct Row {
    const char* name;
    Bytes encoded;
    std::string_view hex;
  };
  const Row rows[] = {
      {"dog", enc("dog"), "0x83646f67"},
      {"[cat, dog]", list({enc("cat"), enc("dog")}), "0xc88363617483646f67"},
      {"empty string", enc(""), "0x80"},
      {"empty list", empty_list, "0xc0"},
      {"integer 0", enc_uint(0), "0x80"},
      {"byte 0x00", rlp::encoded_bytes(Bytes{0x00}), "0x00"},
      {"byte 0x0f", rlp::encoded_bytes(Bytes{0x0f}), "0x0f"},
      {"integer 15", enc_uint(15), "0x0f"},
      {"bytes 0x0400", rlp::encoded_bytes(Bytes{0x04, 0x00}), "0x820400"},
      {"integer 1024", enc_uint(1024), "0x820400"},
      {"set theoretic three",
       list({empty_list, set_theoretic_two, list({empty_list, set_theoretic_two})}),
       "0xc7c0c1c0c3c0c1c0"},
      {"56-byte string", enc("Lorem ipsum dolor sit amet, consectetur adipisicing elit"),
       "0xb8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572"
       "206164697069736963696e6720656c6974"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    CHECK(hex_encode(row.encoded) == row.hex);
    // Every canonical encoding decodes and re-encodes to itself.
    auto item = rlp::decode_strict(row.encoded);
    REQUIRE(item.has_value());
    CHECK(item->encoded.size() == row.encoded.size());
  }
}

TEST_CASE("RLP decodes values back", "[rlp]") {
  const Bytes encoded = *hex_decode("0xc88363617483646f67");
  auto top = rlp::decode_strict(encoded);
  REQUIRE(top.has_value());
  auto items = rlp::list_items(*top);
  REQUIRE(items.has_value());
  REQUIRE(items->size() == 2);
  CHECK(Bytes((*items)[0].payload.begin(), (*items)[0].payload.end()) == str("cat"));
  CHECK(Bytes((*items)[1].payload.begin(), (*items)[1].payload.end()) == str("dog"));

  const Bytes n_bytes = *hex_decode("0x820400");
  auto n = rlp::decode_strict(n_bytes);
  REQUIRE(n.has_value());
  CHECK(rlp::to_u64(*n).value() == 1024);
}

TEST_CASE("RLP rejects non-canonical and malformed encodings", "[rlp]") {
  struct Row {
    const char* name;
    std::string_view hex;
    rlp::RlpError expected;
  };
  const Row rows[] = {
      {"empty input", "0x", rlp::RlpError::empty_input},
      {"single byte wrapped", "0x8105", rlp::RlpError::non_canonical_single},
      {"long form for a short string", "0xb80548656c6c6f", rlp::RlpError::non_canonical_size},
      {"length with leading zero", "0xb900384c6f", rlp::RlpError::non_canonical_size},
      {"long list form for a short list", "0xf80180", rlp::RlpError::non_canonical_size},
      {"string longer than input", "0x83646f", rlp::RlpError::truncated},
      {"long length beyond input", "0xb8ff00", rlp::RlpError::truncated},
      {"list longer than input", "0xc883636174", rlp::RlpError::truncated},
      {"trailing bytes", "0x83646f6700", rlp::RlpError::trailing_bytes},
      {"bad item inside a list", "0xc28105", rlp::RlpError::non_canonical_single},
      {"huge length of length", "0xbfffffffffffffffff", rlp::RlpError::truncated},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    auto item = rlp::decode_strict(*hex_decode(row.hex));
    REQUIRE_FALSE(item.has_value());
    CHECK(item.error() == row.expected);
  }
  // Integers: leading zeros and more than 32 bytes are refused.
  const Bytes zero_led_bytes = *hex_decode("0x820001");
  auto zero_led = rlp::decode_strict(zero_led_bytes);
  REQUIRE(zero_led.has_value());
  CHECK(rlp::to_u256(*zero_led).error() == rlp::RlpError::non_canonical_integer);
  Bytes too_long{0xa1};
  too_long.resize(34, 0x01);
  CHECK(rlp::to_u256(*rlp::decode_strict(too_long)).error() == rlp::RlpError::integer_overflow);
}

TEST_CASE("RLP nesting deeper than the limit is refused, not recursed", "[rlp]") {
  Bytes nested = *hex_decode("0xc0");
  for (int i = 0; i < 100; ++i) {
    Bytes wrapped;
    rlp::encode_list_payload(wrapped, nested);
    nested = wrapped;
  }
  auto item = rlp::decode_strict(nested);
  REQUIRE_FALSE(item.has_value());
  CHECK(item.error() == rlp::RlpError::too_deep);
}
