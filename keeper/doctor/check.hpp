#pragma once
// One line of `keeper doctor`: what was checked, how it went and what the operator should know.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace keeper::doctor {

// warn: keeper can run, but something deserves a look (it does not fail the doctor).
// skipped: the check could not be made (a check it needs failed, or nothing is configured).
enum class Status { ok, warn, fail, skipped };

[[nodiscard]] std::string_view to_string(Status s) noexcept;

struct Check {
  std::string name;  // short and stable: scripts match on it ("chain id", "websocket", ...)
  Status status = Status::ok;
  std::string detail;
};

class Report {
 public:
  void add(std::string name, Status status, std::string detail);
  void ok(std::string name, std::string detail) {
    add(std::move(name), Status::ok, std::move(detail));
  }
  void warn(std::string name, std::string detail) {
    add(std::move(name), Status::warn, std::move(detail));
  }
  void fail(std::string name, std::string detail) {
    add(std::move(name), Status::fail, std::move(detail));
  }
  void skip(std::string name, std::string detail) {
    add(std::move(name), Status::skipped, std::move(detail));
  }

  [[nodiscard]] const std::vector<Check>& checks() const noexcept { return checks_; }
  [[nodiscard]] bool passed() const noexcept;
  // One line per check ("ok    chain id            31337, as configured"), then a verdict.
  [[nodiscard]] std::string text() const;
  [[nodiscard]] nlohmann::json json() const;

 private:
  std::vector<Check> checks_;
};

}  // namespace keeper::doctor
