#include "keeper/commands/integer_argument.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace keeper {
namespace {

std::string expectation(const IntegerRange& range) {
  if (range.max == std::numeric_limits<std::uint64_t>::max())
    return range.min == 0 ? "a non-negative integer"
                          : "an integer of at least " + std::to_string(range.min);
  return "an integer from " + std::to_string(range.min) + " to " + std::to_string(range.max);
}

}  // namespace

tl::expected<std::uint64_t, std::string> parse_integer_argument(std::string_view name,
                                                                std::string_view text,
                                                                IntegerRange range) {
  const auto refuse = [&] {
    return tl::unexpected(std::string{name} + " needs " + expectation(range) + ", got '" +
                          std::string{text} + "'");
  };
  // from_chars stops at the first non-digit and calls that a success: "12abc" would read as 12.
  const bool digits_only = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (!digits_only) return refuse();
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return refuse();  // overflow
  if (value < range.min || value > range.max) return refuse();
  return value;
}

}  // namespace keeper
