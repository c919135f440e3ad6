#pragma once
// A bound on how deeply a TOML text nests, checked before the text reaches toml11: its parser
// recurses once per array or inline table, so `zz = [[[…` a few thousand deep (17 KB, well under
// the 1 MiB file limit) overflows the stack instead of returning an error.
#include <cstddef>
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

}  // namespace config
