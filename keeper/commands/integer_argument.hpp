#pragma once
// Whole numbers given on keeper's command lines (--block, --port, --borrowers, SECONDS, ...).
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace keeper {

struct IntegerRange {
  std::uint64_t min = 0;
  std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
};

// `text` as a decimal integer within `range`. Only plain digits are taken: "12abc", "-1", "+1",
// "0x10", "1e3" and " 1" are refused rather than half-read. The error names the argument `name`:
// "--block needs a non-negative integer, got '12abc'".
[[nodiscard]] tl::expected<std::uint64_t, std::string> parse_integer_argument(
    std::string_view name, std::string_view text, IntegerRange range = {});

}  // namespace keeper
