#include "chain/uint256.hpp"

#include <cmath>

#include "chain/hex.hpp"
#include "chain/uint256_words.hpp"

namespace chain {

std::string_view describe(NumberError e) noexcept {
  switch (e) {
    case NumberError::empty: return "number is empty";
    case NumberError::bad_digit: return "number contains an invalid digit";
    case NumberError::overflow: return "number does not fit in 256 bits";
    case NumberError::missing_prefix: return "hex number must start with 0x";
    case NumberError::too_long: return "number has too many digits";
  }
  return "unknown number error";
}

tl::expected<u256, NumberError> u256_from_dec(std::string_view text) {
  if (text.empty()) return tl::unexpected(NumberError::empty);
  if (text.size() > 100) return tl::unexpected(NumberError::too_long);
  u512 acc = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return tl::unexpected(NumberError::bad_digit);
    acc = acc * 10 + static_cast<unsigned>(c - '0');
    if (acc > u512{kU256Max}) return tl::unexpected(NumberError::overflow);
  }
  return static_cast<u256>(acc);
}

tl::expected<u256, NumberError> u256_from_hex(std::string_view text) {
  auto digits = strip_hex_prefix(text, HexPrefix::required);
  if (!digits) return tl::unexpected(NumberError::missing_prefix);
  if (digits->empty()) return tl::unexpected(NumberError::empty);
  while (digits->size() > 1 && digits->front() == '0') digits->remove_prefix(1);
  if (digits->size() > 64) {
    for (const char c : *digits)
      if (hex_digit_value(c) < 0) return tl::unexpected(NumberError::bad_digit);
    return tl::unexpected(NumberError::overflow);
  }
  u256 acc = 0;
  for (const char c : *digits) {
    const int v = hex_digit_value(c);
    if (v < 0) return tl::unexpected(NumberError::bad_digit);
    acc = (acc << 4) | static_cast<unsigned>(v);
  }
  return acc;
}

tl::expected<u256, NumberError> u256_from_string(std::string_view text) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    return u256_from_hex(text);
  return u256_from_dec(text);
}

std::string to_dec(const u256& v) { return v.str(); }

std::string to_hex_quantity(const u256& v) {
  if (v == 0) return "0x0";
  const Hash be = to_be32(v);
  std::string full = hex_encode(BytesView{be}, false);
  const auto first = full.find_first_not_of('0');
  return "0x" + full.substr(first);
}

Hash to_be32(const u256& v) noexcept {
  Hash out{};
  u256 x = v;
  for (std::size_t i = 0; i < 32; ++i) {
    out[31 - i] = static_cast<std::uint8_t>(low_u64(x) & 0xffU);
    x >>= 8;
  }
  return out;
}

Bytes to_be_minimal(const u256& v) {
  const Hash be = to_be32(v);
  std::size_t first = 0;
  while (first < be.size() && be[first] == 0) ++first;
  return Bytes(be.begin() + static_cast<std::ptrdiff_t>(first), be.end());
}

std::optional<u256> from_be(BytesView bytes) noexcept {
  if (bytes.size() > 32) return std::nullopt;
  u256 acc = 0;
  for (const std::uint8_t b : bytes) acc = (acc << 8) | b;
  return acc;
}

std::optional<u256> checked_add(const u256& a, const u256& b) noexcept {
  const u256 r = a + b;
  if (r < a) return std::nullopt;
  return r;
}

std::optional<u256> checked_sub(const u256& a, const u256& b) noexcept {
  if (b > a) return std::nullopt;
  return a - b;
}

std::optional<u256> checked_mul(const u256& a, const u256& b) noexcept {
  if (a == 0 || b == 0) return u256{0};
  // Two words each (prices, balances, units): the product fits, four word products make it.
  if (words::fits_two_words(a) && words::fits_two_words(b))
    return words::to_u256(words::mul_add_two(a, b));
  const u256 r = a * b;
  // Factors of at most 256 bits together cannot overflow: no division needed to tell.
  if (words::bit_width(a) + words::bit_width(b) <= 256) return r;
  if (r / a != b) return std::nullopt;
  return r;
}

double to_double(const u256& v) noexcept {
  // The nearest double, ties to even, in a few instructions: boost's convert_to<double> walks
  // the words and rounds at each step (off by an ulp for about 1 value in 200), and costs a
  // tenth of a cascade's bound. Two words convert as a 128-bit integer, which the compiler
  // rounds correctly; above, the top two words (65 significant bits or more) with every bit
  // below them folded into their lowest bit, which then can only break a tie, as the bits it
  // stands for would.
  const std::size_t n = v.backend().size();
  const auto* limbs = v.backend().limbs();
  using words::DoubleWord;
  if (n <= 2) {
    const DoubleWord low = limbs[0];
    return static_cast<double>(n == 2 ? (DoubleWord{limbs[1]} << 64) | low : low);
  }
  DoubleWord top = (DoubleWord{limbs[n - 1]} << 64) | limbs[n - 2];
  for (std::size_t i = 0; i + 2 < n; ++i) top |= static_cast<DoubleWord>(limbs[i] != 0);
  return std::ldexp(static_cast<double>(top), static_cast<int>(64 * (n - 2)));
}

}  // namespace chain
