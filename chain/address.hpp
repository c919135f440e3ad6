#pragma once
// 20-byte Ethereum account address with EIP-55 mixed-case checksum.
#include <compare>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "chain/bytes.hpp"

namespace chain {

enum class AddressError { missing_prefix, wrong_length, bad_digit, bad_checksum };

[[nodiscard]] std::string_view describe(AddressError e) noexcept;

struct Address {
  FixedBytes<20> bytes{};

  // Accepts all-lowercase or all-uppercase hex as is; mixed case must be a valid EIP-55 checksum.
  [[nodiscard]] static tl::expected<Address, AddressError> from_hex(std::string_view text);
  // From the last 20 bytes of a 32-byte word (ABI, topics); the caller checks the top 12 are zero.
  [[nodiscard]] static Address from_word(const Hash& word) noexcept;

  [[nodiscard]] std::string checksummed() const;  // EIP-55 "0xAbC…"
  [[nodiscard]] std::string lower_hex() const;    // "0xabc…", the form JSON-RPC filters use
  [[nodiscard]] bool is_zero() const noexcept;
  [[nodiscard]] BytesView view() const noexcept { return bytes; }

  friend auto operator<=>(const Address&, const Address&) = default;
};

struct AddressHash {
  std::size_t operator()(const Address& a) const noexcept { return FixedBytesHash{}(a.bytes); }
};

}  // namespace chain

template <>
struct std::hash<chain::Address> : chain::AddressHash {};
