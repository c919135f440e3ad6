// Property: decoded hex re-encodes to the same text up to letter case.
#include "fuzz/fuzz_target.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string_view>

#include "chain/hex.hpp"
#include "chain/uint256.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  if (auto bytes = chain::hex_decode(text, chain::HexPrefix::optional)) {
    const std::string again = chain::hex_encode(*bytes, false);
    const std::string_view digits =
        text.size() >= 2 && text[0] == '0' && (text[1] | 0x20) == 'x' ? text.substr(2) : text;
    const bool same =
        std::equal(again.begin(), again.end(), digits.begin(), digits.end(),
                   [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
    if (!same) std::abort();
  }
  if (auto n = chain::u256_from_string(text)) {
    if (chain::u256_from_hex(chain::to_hex_quantity(*n)).value() != *n) std::abort();
  }
  return 0;
}
