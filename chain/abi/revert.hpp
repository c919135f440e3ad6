#pragma once
// What a reverted call said: Error(string), Panic(uint256), a custom error, or nothing.
#include <optional>
#include <string>

#include "chain/bytes.hpp"
#include "chain/uint256.hpp"

namespace chain::abi {

struct Revert {
  enum class Kind { empty, error_string, panic, custom, malformed } kind = Kind::empty;
  std::string message;       // Error(string) text, or the panic's meaning
  u256 panic_code;           // Panic(uint256)
  FixedBytes<4> selector{};  // custom errors
  Bytes data;                // custom error arguments (undecoded)

  // One line for logs: "Error(\"45\")", "Panic(0x11: arithmetic overflow or underflow)", ...
  [[nodiscard]] std::string to_string() const;
};

[[nodiscard]] Revert decode_revert(BytesView data);

// Solidity's documented panic codes.
[[nodiscard]] std::string_view panic_meaning(const u256& code) noexcept;

}  // namespace chain::abi
