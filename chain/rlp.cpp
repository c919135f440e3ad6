#include "chain/rlp.hpp"

namespace chain::rlp {
namespace {

void encode_length(Bytes& out, std::size_t length, std::uint8_t short_base) {
  if (length < 56) {
    out.push_back(static_cast<std::uint8_t>(short_base + length));
    return;
  }
  const Bytes len_bytes = to_be_minimal(u256{length});
  out.push_back(static_cast<std::uint8_t>(short_base + 55 + len_bytes.size()));
  append(out, len_bytes);
}

tl::expected<void, RlpError> validate(const Item& item, std::size_t depth) {
  if (!item.is_list) return {};
  if (depth >= kMaxDepth) return tl::unexpected(RlpError::too_deep);
  BytesView rest = item.payload;
  while (!rest.empty()) {
    auto child = read_item(rest, rest);
    if (!child) return tl::unexpected(child.error());
    if (auto ok = validate(*child, depth + 1); !ok) return ok;
  }
  return {};
}

}  // namespace

std::string_view describe(RlpError e) noexcept {
  switch (e) {
    case RlpError::empty_input: return "RLP input is empty";
    case RlpError::truncated: return "RLP length prefix points beyond the input";
    case RlpError::non_canonical_size: return "RLP length is not in canonical form";
    case RlpError::non_canonical_single: return "RLP single byte below 0x80 must not be wrapped";
    case RlpError::non_canonical_integer: return "RLP integer has leading zero bytes";
    case RlpError::trailing_bytes: return "RLP input has bytes after the item";
    case RlpError::too_deep: return "RLP lists are nested too deeply";
    case RlpError::expected_list: return "RLP item is not a list";
    case RlpError::expected_bytes: return "RLP item is not a byte string";
    case RlpError::integer_overflow: return "RLP integer is too large";
    case RlpError::wrong_item_count: return "RLP list has the wrong number of items";
  }
  return "unknown RLP error";
}

void encode_bytes(Bytes& out, BytesView bytes) {
  if (bytes.size() == 1 && bytes[0] < 0x80) {
    out.push_back(bytes[0]);
    return;
  }
  encode_length(out, bytes.size(), 0x80);
  append(out, bytes);
}

void encode_uint(Bytes& out, const u256& value) { encode_bytes(out, to_be_minimal(value)); }
void encode_uint(Bytes& out, std::uint64_t value) { encode_uint(out, u256{value}); }

void encode_list_payload(Bytes& out, BytesView payload) {
  encode_length(out, payload.size(), 0xc0);
  append(out, payload);
}

tl::expected<Item, RlpError> read_item(BytesView input, BytesView& rest) {
  if (input.empty()) return tl::unexpected(RlpError::empty_input);
  const std::uint8_t prefix = input[0];
  std::size_t header = 1;
  std::size_t length = 0;
  bool is_list = false;

  if (prefix < 0x80) {
    rest = input.subspan(1);
    return Item{false, input.first(1), input.first(1)};
  }
  if (prefix <= 0xb7) {
    length = prefix - 0x80u;
  } else if (prefix <= 0xbf || (prefix >= 0xf8)) {
    is_list = prefix >= 0xf8;
    const std::size_t len_of_len = prefix - (is_list ? 0xf7u : 0xb7u);
    if (input.size() < 1 + len_of_len) return tl::unexpected(RlpError::truncated);
    if (input[1] == 0) return tl::unexpected(RlpError::non_canonical_size);
    if (len_of_len > sizeof(std::size_t)) return tl::unexpected(RlpError::truncated);
    for (std::size_t i = 0; i < len_of_len; ++i) length = (length << 8) | input[1 + i];
    if (length < 56) return tl::unexpected(RlpError::non_canonical_size);
    header += len_of_len;
  } else {
    is_list = true;
    length = prefix - 0xc0u;
  }
  if (length > input.size() - header) return tl::unexpected(RlpError::truncated);
  const BytesView payload = input.subspan(header, length);
  if (!is_list && length == 1 && payload[0] < 0x80)
    return tl::unexpected(RlpError::non_canonical_single);
  rest = input.subspan(header + length);
  return Item{is_list, payload, input.first(header + length)};
}

tl::expected<Item, RlpError> decode_single(BytesView input) {
  BytesView rest;
  auto item = read_item(input, rest);
  if (!item) return item;
  if (!rest.empty()) return tl::unexpected(RlpError::trailing_bytes);
  return item;
}

tl::expected<Item, RlpError> decode_strict(BytesView input) {
  auto item = decode_single(input);
  if (!item) return item;
  if (auto ok = validate(*item, 0); !ok) return tl::unexpected(ok.error());
  return item;
}

tl::expected<std::vector<Item>, RlpError> list_items(const Item& list) {
  if (!list.is_list) return tl::unexpected(RlpError::expected_list);
  std::vector<Item> items;
  BytesView rest = list.payload;
  while (!rest.empty()) {
    auto child = read_item(rest, rest);
    if (!child) return tl::unexpected(child.error());
    items.push_back(*child);
  }
  return items;
}

tl::expected<u256, RlpError> to_u256(const Item& item) {
  if (item.is_list) return tl::unexpected(RlpError::expected_bytes);
  if (item.payload.size() > 32) return tl::unexpected(RlpError::integer_overflow);
  if (!item.payload.empty() && item.payload[0] == 0)
    return tl::unexpected(RlpError::non_canonical_integer);
  return *from_be(item.payload);
}

tl::expected<std::uint64_t, RlpError> to_u64(const Item& item) {
  auto v = to_u256(item);
  if (!v) return tl::unexpected(v.error());
  if (!fits_u64(*v)) return tl::unexpected(RlpError::integer_overflow);
  return low_u64(*v);
}

}  // namespace chain::rlp
