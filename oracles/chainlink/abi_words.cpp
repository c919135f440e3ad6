#include "oracles/chainlink/abi_words.hpp"

#include <algorithm>

namespace oracles::chainlink {

std::optional<chain::BytesView> AbiWords::word_at(std::size_t at) const noexcept {
  if (at > tuple_.size() || tuple_.size() - at < 32) return std::nullopt;
  return tuple_.subspan(at, 32);
}

std::optional<std::size_t> AbiWords::small_number_at(std::size_t at) const noexcept {
  const auto word = word_at(at);
  if (!word || !leading_zero_bytes(*word, 28)) return std::nullopt;
  return static_cast<std::size_t>(low_u64_of(*word));
}

bool fits_signed_bits(chain::BytesView word, unsigned bits) noexcept {
  // Bits 255 .. bits-1 must all equal bit bits-1; checked bytewise over the whole bytes above it.
  const std::size_t sign_byte = 31 - (bits - 1) / 8;  // byte holding bit bits-1
  const unsigned sign_bit = (bits - 1) % 8;
  const unsigned sign_byte_value = word[sign_byte];
  const bool negative = ((sign_byte_value >> sign_bit) & 1U) != 0;
  const std::uint8_t fill = negative ? 0xff : 0x00;
  if (!std::all_of(word.begin(), word.begin() + static_cast<std::ptrdiff_t>(sign_byte),
                   [fill](std::uint8_t b) { return b == fill; }))
    return false;
  // Within the sign byte, the bits above sign_bit must equal the sign too.
  const auto above_mask = static_cast<std::uint8_t>(0xffU << sign_bit);
  return (word[sign_byte] & above_mask) == (fill & above_mask);
}

chain::i256 signed_word(chain::BytesView word) {
  const chain::u256 u = chain::from_be(word).value_or(chain::u256{0});
  return (u >> 255) != 0 ? -static_cast<chain::i256>(~u) - 1 : static_cast<chain::i256>(u);
}

std::uint64_t low_u64_of(chain::BytesView word) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 24; i < 32; ++i) v = (v << 8) | word[i];
  return v;
}

bool leading_zero_bytes(chain::BytesView word, std::size_t count) noexcept {
  return std::all_of(word.begin(), word.begin() + static_cast<std::ptrdiff_t>(count),
                     [](std::uint8_t b) { return b == 0; });
}

}  // namespace oracles::chainlink
