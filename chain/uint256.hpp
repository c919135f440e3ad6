#pragma once
// 256-bit unsigned integers as the EVM sees them: wrapping arithmetic by default, explicit checked
// operations where protocol math must notice overflow, and exact text/byte conversions.
#include <optional>
#include <string>
#include <string_view>

#include <boost/multiprecision/cpp_int.hpp>
#include <tl/expected.hpp>

#include "chain/bytes.hpp"

namespace chain {

namespace mp = boost::multiprecision;
using u256 = mp::number<mp::cpp_int_backend<256, 256, mp::unsigned_magnitude, mp::unchecked, void>>;
// Wide enough for the product of two u256 values, for mulDiv-style intermediate math.
using u512 = mp::number<mp::cpp_int_backend<512, 512, mp::unsigned_magnitude, mp::unchecked, void>>;
using i256 = mp::number<mp::cpp_int_backend<256, 256, mp::signed_magnitude, mp::unchecked, void>>;

inline const u256 kU256Max = ~u256{0};

enum class NumberError { empty, bad_digit, overflow, missing_prefix, too_long };

[[nodiscard]] std::string_view describe(NumberError e) noexcept;

// Decimal digits only ("0", "12345"); rejects signs, spaces and values above 2^256-1.
[[nodiscard]] tl::expected<u256, NumberError> u256_from_dec(std::string_view text);
// "0x"-prefixed hex, as JSON-RPC quantities are; at most 64 digits after leading zeros.
[[nodiscard]] tl::expected<u256, NumberError> u256_from_hex(std::string_view text);
// Either of the above: "0x…" is hex, anything else decimal.
[[nodiscard]] tl::expected<u256, NumberError> u256_from_string(std::string_view text);

[[nodiscard]] std::string to_dec(const u256& v);
// JSON-RPC quantity form: "0x0", "0x1f" (no leading zeros).
[[nodiscard]] std::string to_hex_quantity(const u256& v);

// Big-endian 32-byte word (ABI word, storage slot).
[[nodiscard]] Hash to_be32(const u256& v) noexcept;
// Big-endian bytes without leading zeros (RLP integer form); zero is empty.
[[nodiscard]] Bytes to_be_minimal(const u256& v);
// Interprets up to 32 big-endian bytes; nullopt when longer.
[[nodiscard]] std::optional<u256> from_be(BytesView bytes) noexcept;

[[nodiscard]] std::optional<u256> checked_add(const u256& a, const u256& b) noexcept;
[[nodiscard]] std::optional<u256> checked_sub(const u256& a, const u256& b) noexcept;
[[nodiscard]] std::optional<u256> checked_mul(const u256& a, const u256& b) noexcept;

// Lossy conversion for ranking and display only; exact decisions never use it.
[[nodiscard]] double to_double(const u256& v) noexcept;

[[nodiscard]] inline std::uint64_t low_u64(const u256& v) noexcept {
  return static_cast<std::uint64_t>(v & u256{~std::uint64_t{0}});
}

[[nodiscard]] inline bool fits_u64(const u256& v) noexcept { return (v >> 64) == 0; }

}  // namespace chain
