#include "chain/address.hpp"

#include <algorithm>
#include <cctype>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"

namespace chain {

std::string_view describe(AddressError e) noexcept {
  switch (e) {
    case AddressError::missing_prefix: return "address must start with 0x";
    case AddressError::wrong_length: return "address must be 40 hex digits";
    case AddressError::bad_digit: return "address contains a non-hex character";
    case AddressError::bad_checksum: return "address has mixed case but an invalid EIP-55 checksum";
  }
  return "unknown address error";
}

tl::expected<Address, AddressError> Address::from_hex(std::string_view text) {
  auto decoded = hex_decode_fixed<20>(text, HexPrefix::required);
  if (!decoded) {
    switch (decoded.error()) {
      case HexError::missing_prefix: return tl::unexpected(AddressError::missing_prefix);
      case HexError::bad_digit: return tl::unexpected(AddressError::bad_digit);
      default: return tl::unexpected(AddressError::wrong_length);
    }
  }
  const std::string_view digits = text.substr(2);
  const bool has_lower =
      std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'a' && c <= 'f'; });
  const bool has_upper =
      std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'A' && c <= 'F'; });
  Address a{*decoded};
  if (has_lower && has_upper && a.checksummed().substr(2) != digits)
    return tl::unexpected(AddressError::bad_checksum);
  return a;
}

Address Address::from_word(const Hash& word) noexcept {
  Address a;
  std::copy(word.begin() + 12, word.end(), a.bytes.begin());
  return a;
}

std::string Address::lower_hex() const { return hex_encode(bytes); }

std::string Address::checksummed() const {
  std::string lower = hex_encode(bytes, false);
  const Hash h = keccak256(std::string_view{lower});
  for (std::size_t i = 0; i < lower.size(); ++i) {
    const std::uint8_t nibble = (i % 2 == 0) ? (h[i / 2] >> 4) : (h[i / 2] & 0x0f);
    if (nibble >= 8 && lower[i] >= 'a')
      lower[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(lower[i])));
  }
  return "0x" + lower;
}

bool Address::is_zero() const noexcept {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

}  // namespace chain
