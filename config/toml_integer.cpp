#include "config/toml_integer.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace config {
namespace {

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The magnitude of an unsigned literal in `base` (underscores allowed), or nothing above `limit`.
bool magnitude_within(std::string_view digits, unsigned base, std::uint64_t limit) {
  std::uint64_t value = 0;
  for (const char c : digits) {
    if (c == '_') continue;
    const int d = digit_value(c);
    if (d < 0 || static_cast<unsigned>(d) >= base) return true;  // not ours to judge: toml11 did
    if (value > (limit - static_cast<std::uint64_t>(d)) / base) return false;
    value = value * base + static_cast<std::uint64_t>(d);
  }
  return true;
}

}  // namespace

bool integer_literal_fits(const toml::value& v) {
  if (!v.is_integer()) return true;
  const auto where = v.location();
  const std::string& line = where.line_str();
  if (where.column() == 0 || where.column() > line.size()) return true;
  std::string_view text{line};
  text = text.substr(where.column() - 1, where.region());
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t limit = kMax;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    if (text.front() == '-') limit = kMax + 1;  // -2^63 fits
    text.remove_prefix(1);
  }
  if (text.size() > 2 && text[0] == '0') {
    if (text[1] == 'x') return magnitude_within(text.substr(2), 16, limit);
    if (text[1] == 'o') return magnitude_within(text.substr(2), 8, limit);
    if (text[1] == 'b') return magnitude_within(text.substr(2), 2, limit);
  }
  return magnitude_within(text, 10, limit);
}

namespace {

std::optional<OversizedInteger> find_under(const toml::value& v, const std::string& key) {
  if (!integer_literal_fits(v)) return OversizedInteger{key, v.location().line()};
  if (v.is_table()) {
    for (const auto& [k, child] : v.as_table())
      if (auto found = find_under(child, key.empty() ? k : key + "." + k)) return found;
  } else if (v.is_array()) {
    const auto& items = v.as_array();
    for (std::size_t i = 0; i < items.size(); ++i)
      if (auto found = find_under(items[i], key + "[" + std::to_string(i) + "]")) return found;
  }
  return std::nullopt;
}

}  // namespace

std::optional<OversizedInteger> find_oversized_integer(const toml::value& root) {
  return find_under(root, "");
}

}  // namespace config
