#pragma once
// Strict hex text <-> bytes. Every hex string from the network or a user goes through here.
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "chain/bytes.hpp"

namespace chain {

enum class HexError { missing_prefix, unexpected_prefix, odd_length, bad_digit, wrong_length };

[[nodiscard]] std::string_view describe(HexError e) noexcept;

enum class HexPrefix { required, optional, forbidden };

[[nodiscard]] tl::expected<Bytes, HexError> hex_decode(std::string_view text,
                                                       HexPrefix prefix = HexPrefix::required);

// Decodes into exactly N bytes; any other length is wrong_length.
template <std::size_t N>
[[nodiscard]] tl::expected<FixedBytes<N>, HexError> hex_decode_fixed(
    std::string_view text, HexPrefix prefix = HexPrefix::required);

[[nodiscard]] std::string hex_encode(BytesView bytes, bool with_prefix = true);

template <std::size_t N>
[[nodiscard]] std::string hex_encode(const FixedBytes<N>& bytes, bool with_prefix = true) {
  return hex_encode(BytesView{bytes}, with_prefix);
}

// Value of one hex digit, or -1.
[[nodiscard]] constexpr int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Removes a leading "0x"/"0X" according to the policy; the error says why it could not.
[[nodiscard]] tl::expected<std::string_view, HexError> strip_hex_prefix(std::string_view text,
                                                                        HexPrefix prefix) noexcept;

// ---- implementation of the template ----
tl::expected<void, HexError> hex_decode_into(std::string_view digits, std::span<std::uint8_t> out);

template <std::size_t N>
tl::expected<FixedBytes<N>, HexError> hex_decode_fixed(std::string_view text, HexPrefix prefix) {
  auto digits = strip_hex_prefix(text, prefix);
  if (!digits) return tl::unexpected(digits.error());
  if (digits->size() % 2 != 0) return tl::unexpected(HexError::odd_length);
  if (digits->size() != 2 * N) return tl::unexpected(HexError::wrong_length);
  FixedBytes<N> out{};
  if (auto ok = hex_decode_into(*digits, out); !ok) return tl::unexpected(ok.error());
  return out;
}

}  // namespace chain
