#pragma once
// toml11 reads an integer literal with `istream >> int64_t`, which saturates: `chain_id =
// 18446744073709551617` silently becomes 9223372036854775807 (and a long 0b literal wraps). This
// re-reads the literal's own text so the loader can refuse what does not fit.
#include <optional>
#include <string>

#include <toml.hpp>

namespace config {

// False when `v` is an integer whose source text is outside the signed 64-bit range. True for
// anything else, including values with no source text (built in code, not parsed).
[[nodiscard]] bool integer_literal_fits(const toml::value& v);

struct OversizedInteger {
  std::string key;  // dotted path, "markets[0].start_block"
  std::size_t line = 0;
};

// The first integer anywhere under `root` whose literal does not fit. Recursion is bounded by
// check_toml_nesting, which runs before parsing.
[[nodiscard]] std::optional<OversizedInteger> find_oversized_integer(const toml::value& root);

}  // namespace config
