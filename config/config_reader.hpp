#pragma once
// What parse_config and the section readers (config/read_sections_*.cpp) share: a Reader that
// turns TOML values into typed fields with errors naming the file, line and key, and the
// KEEPER_CFG early return.
// Internal to the config module: nothing outside config/ includes it.
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>

#include <tl/expected.hpp>
#include <toml.hpp>

#include "config/keeper_config.hpp"

namespace config::detail {

using Value = toml::value;

class Reader {
 public:
  explicit Reader(std::string source) : source_{std::move(source)} {}

  ConfigError error(const Value& at, const std::string& key, const std::string& message) const {
    return ConfigError{source_, at.location().line(), key, message};
  }
  ConfigError error(const std::string& key, const std::string& message) const {
    return ConfigError{source_, 0, key, message};
  }

  // Every key of `table` must be one of `allowed`.
  tl::expected<void, ConfigError> only(const Value& table, const std::string& prefix,
                                       const std::set<std::string>& allowed) const {
    for (const auto& [k, v] : table.as_table()) {
      if (!allowed.count(k)) return tl::unexpected(error(v, prefix + k, "unknown key"));
    }
    return {};
  }

  template <class T>
  tl::expected<std::optional<T>, ConfigError> optional(const Value& table,
                                                       const std::string& prefix,
                                                       const std::string& key) const {
    if (!table.contains(key)) return std::optional<T>{};
    const Value& v = table.at(key);
    try {
      // `max_head_lag_seconds = 60` means 60.0: TOML integers are accepted where numbers are.
      if constexpr (std::is_floating_point_v<T>)
        if (v.is_integer()) return std::optional<T>{static_cast<T>(v.as_integer())};
      return std::optional<T>{toml::get<T>(v)};
    } catch (const toml::type_error&) {
      return tl::unexpected(
          error(v, prefix + key,
                std::string{"has the wrong type (expected "} + expected_name<T>() + ")"));
    }
  }

  template <class T>
  tl::expected<T, ConfigError> required(const Value& table, const std::string& prefix,
                                        const std::string& key) const {
    auto v = optional<T>(table, prefix, key);
    if (!v) return tl::unexpected(v.error());
    if (!*v)
      return tl::unexpected(
          ConfigError{source_, table.location().line(), prefix + key, "is required"});
    return **v;
  }

 private:
  template <class T>
  static const char* expected_name() {
    if constexpr (std::is_same_v<T, std::string>) return "a string";
    if constexpr (std::is_same_v<T, bool>) return "true or false";
    if constexpr (std::is_floating_point_v<T>) return "a number";
    if constexpr (std::is_integral_v<T>) return "an integer";
    return "a list";
  }
  std::string source_;
};

// `var` is a declarator, which cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define KEEPER_CFG(var, expr) \
  auto var = (expr);          \
  if (!var) return tl::unexpected(var.error())
// NOLINTEND(bugprone-macro-parentheses)

}  // namespace config::detail
