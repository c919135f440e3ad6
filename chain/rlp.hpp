#pragma once
// Recursive Length Prefix: encoding, and a strict decoder that accepts only the canonical form
// (the one encoding a value has), so a decoded transaction hashes to what was signed.
#include <cstdint>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "chain/bytes.hpp"
#include "chain/uint256.hpp"

namespace chain::rlp {

// ---- encoding ----
void encode_bytes(Bytes& out, BytesView bytes);
void encode_uint(Bytes& out, const u256& value);  // minimal big-endian; zero is the empty string
void encode_uint(Bytes& out, std::uint64_t value);
// Wraps already-encoded items `payload` as a list.
void encode_list_payload(Bytes& out, BytesView payload);

[[nodiscard]] inline Bytes encoded_bytes(BytesView bytes) {
  Bytes out;
  encode_bytes(out, bytes);
  return out;
}

// ---- decoding ----
enum class RlpError {
  empty_input,
  truncated,              // a length prefix points beyond the input
  non_canonical_size,     // long form used for < 56 bytes, or a length with leading zeros
  non_canonical_single,   // a single byte < 0x80 wrapped as a one-byte string
  non_canonical_integer,  // an integer with leading zero bytes
  trailing_bytes,
  too_deep,
  expected_list,
  expected_bytes,
  integer_overflow,
  wrong_item_count,
};

[[nodiscard]] std::string_view describe(RlpError e) noexcept;

struct Item {
  bool is_list = false;
  BytesView payload;  // string bytes, or the concatenated encodings of the list's items
  BytesView encoded;  // the full encoding (prefix + payload)
};

inline constexpr std::size_t kMaxDepth = 64;

// Reads exactly one item at the start of `input`; `rest` receives what follows it.
[[nodiscard]] tl::expected<Item, RlpError> read_item(BytesView input, BytesView& rest);
// Exactly one item spanning the whole input.
[[nodiscard]] tl::expected<Item, RlpError> decode_single(BytesView input);
// The items of a list item (one level), each canonical.
[[nodiscard]] tl::expected<std::vector<Item>, RlpError> list_items(const Item& list);
// Validates a whole encoding recursively (depth-bounded) and returns its top item.
[[nodiscard]] tl::expected<Item, RlpError> decode_strict(BytesView input);

[[nodiscard]] tl::expected<u256, RlpError> to_u256(const Item& item);
[[nodiscard]] tl::expected<std::uint64_t, RlpError> to_u64(const Item& item);

}  // namespace chain::rlp
