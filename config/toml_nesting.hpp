#pragma once
// A bound on how deeply a TOML text nests, checked before the text reaches toml11: its parser
// recurses once per array or inline table, so `zz = [[[…` a few thousand deep (17 KB, well under
// the 1 MiB file limit) overflows the stack instead of returning an error.
#include <cstddef>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace config {

// keeper's own configs nest 3 deep at most ([[markets]], an array of strings); 32 leaves room.
inline constexpr std::size_t kMaxTomlNesting = 32;

struct NestingError {
  std::size_t line = 0;   // 1-based line where the bound was crossed
  std::size_t depth = 0;  // the depth reached there
};

// Counts open arrays, inline tables and dotted-key segments outside strings and comments; an
// error when they exceed `max_depth`.
[[nodiscard]] tl::expected<void, NestingError> check_toml_nesting(
    std::string_view text, std::size_t max_depth = kMaxTomlNesting);

// A decimal literal no int64 holds: what a too-long binary literal is handed to the parser as.
inline constexpr std::string_view kOversizedDecimal = "99999999999999999999";

// `text` with every binary integer literal of more than 63 significant bits (outside strings and
// comments) replaced by kOversizedDecimal, on the same line: toml11 reads 0b literals with a
// signed overflow (undefined behaviour), decimal ones saturating, and the loader then refuses the
// value as outside the 64-bit range, naming its line and key.
[[nodiscard]] std::string widen_long_binary_literals(std::string_view text);

}  // namespace config
