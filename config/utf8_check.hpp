#pragma once
// TOML text must be UTF-8, and it is checked before toml11 sees it: toml11 3.7 reports an invalid
// sequence inside a literal string by resetting a parse position to an iterator of another
// buffer, reading out of bounds (found by fuzz/config_fuzz.cpp). Refusing such text first is
// both what the TOML spec asks and what keeps keeper clear of that path.
#include <cstddef>
#include <optional>
#include <string_view>

namespace config {

// The byte offset of the first sequence that is not well-formed UTF-8 (overlong forms, UTF-16
// surrogates and code points above U+10FFFF included), or nothing when all of `text` is.
[[nodiscard]] std::optional<std::size_t> first_invalid_utf8(std::string_view text) noexcept;

}  // namespace config
