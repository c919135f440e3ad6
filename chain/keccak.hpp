#pragma once
// Keccak-256 as Ethereum uses it (the original Keccak padding, not FIPS-202 SHA3-256).
#include <string_view>

#include "chain/bytes.hpp"

namespace chain {

[[nodiscard]] Hash keccak256(BytesView data);
[[nodiscard]] inline Hash keccak256(std::string_view text) { return keccak256(as_bytes(text)); }

}  // namespace chain
