#include "chain/hex.hpp"

namespace chain {

std::string_view describe(HexError e) noexcept {
  switch (e) {
    case HexError::missing_prefix: return "hex string must start with 0x";
    case HexError::unexpected_prefix: return "hex string must not start with 0x";
    case HexError::odd_length: return "hex string has an odd number of digits";
    case HexError::bad_digit: return "hex string contains a non-hex character";
    case HexError::wrong_length: return "hex string has the wrong length";
  }
  return "unknown hex error";
}

tl::expected<std::string_view, HexError> strip_hex_prefix(std::string_view text,
                                                          HexPrefix prefix) noexcept {
  const bool has = text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  if (has && prefix == HexPrefix::forbidden) return tl::unexpected(HexError::unexpected_prefix);
  if (!has && prefix == HexPrefix::required) return tl::unexpected(HexError::missing_prefix);
  return has ? text.substr(2) : text;
}

tl::expected<void, HexError> hex_decode_into(std::string_view digits, std::span<std::uint8_t> out) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_digit_value(digits[2 * i]);
    const int lo = hex_digit_value(digits[2 * i + 1]);
    if (hi < 0 || lo < 0) return tl::unexpected(HexError::bad_digit);
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return {};
}

tl::expected<Bytes, HexError> hex_decode(std::string_view text, HexPrefix prefix) {
  auto digits = strip_hex_prefix(text, prefix);
  if (!digits) return tl::unexpected(digits.error());
  if (digits->size() % 2 != 0) return tl::unexpected(HexError::odd_length);
  Bytes out(digits->size() / 2);
  if (auto ok = hex_decode_into(*digits, out); !ok) return tl::unexpected(ok.error());
  return out;
}

std::string hex_encode(BytesView bytes, bool with_prefix) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2 + 2);
  if (with_prefix) out += "0x";
  for (const std::uint8_t b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0x0f];
  }
  return out;
}

}  // namespace chain
