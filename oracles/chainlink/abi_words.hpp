#pragma once
// Bounds-checked reading of ABI words inside one encoded tuple: every offset and length an
// attacker controls is checked against the tuple's own bytes before it is followed.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "chain/bytes.hpp"
#include "chain/uint256.hpp"

namespace oracles::chainlink {

class AbiWords {
 public:
  explicit AbiWords(chain::BytesView tuple) noexcept : tuple_{tuple} {}

  [[nodiscard]] std::size_t size() const noexcept { return tuple_.size(); }
  [[nodiscard]] bool has_words(std::size_t count) const noexcept {
    return count <= tuple_.size() / 32;
  }
  // The 32-byte word at byte `at`; nullopt when it does not fit.
  [[nodiscard]] std::optional<chain::BytesView> word_at(std::size_t at) const noexcept;
  // The word at `at` read as a byte offset or a length: nullopt above 2^32 (no real calldata
  // comes close, and it keeps every sum below overflow).
  [[nodiscard]] std::optional<std::size_t> small_number_at(std::size_t at) const noexcept;
  [[nodiscard]] chain::BytesView bytes() const noexcept { return tuple_; }

 private:
  chain::BytesView tuple_;
};

// A two's-complement word that fits intN (its top 256-N+1 bits all equal its sign bit).
[[nodiscard]] bool fits_signed_bits(chain::BytesView word, unsigned bits) noexcept;
[[nodiscard]] chain::i256 signed_word(chain::BytesView word);
[[nodiscard]] std::uint64_t low_u64_of(chain::BytesView word) noexcept;
[[nodiscard]] bool leading_zero_bytes(chain::BytesView word, std::size_t count) noexcept;

}  // namespace oracles::chainlink
