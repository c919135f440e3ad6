#pragma once
// The daemon's log: one event per line, readable text by default or JSON lines for machines.
// Callers pass only public data (addresses, amounts, hashes); key material never reaches here.
#include <string>

#include <nlohmann/json.hpp>

namespace keeper::ops {

enum class Level { debug, info, warn, error };

class Log {
 public:
  Log(bool as_json, Level min_level) : json_{as_json}, min_{min_level} {}
  void event(Level level, const std::string& kind, const nlohmann::json& fields,
             const std::string& text) const;
  void info(const std::string& kind, const nlohmann::json& fields, const std::string& text) const {
    event(Level::info, kind, fields, text);
  }
  [[nodiscard]] bool json() const noexcept { return json_; }
  // The same log with `fields` added to every event (JSON) and named before every text line: one
  // market's engine among several in one daemon says which market it speaks of.
  [[nodiscard]] Log with(const nlohmann::json& fields) const;
  // For hot paths: skip building a line's fields when it would not be written anyway.
  [[nodiscard]] bool enabled(Level level) const noexcept { return level >= min_; }

 private:
  bool json_;
  Level min_;
  nlohmann::json context_ = nlohmann::json::object();
  std::string text_prefix_;  // "k=v " for each context field
};

[[nodiscard]] const char* to_string(Level level) noexcept;
// "debug", "info", "warn", "error"; false for anything else.
[[nodiscard]] bool parse_level(const std::string& text, Level& out) noexcept;

}  // namespace keeper::ops
