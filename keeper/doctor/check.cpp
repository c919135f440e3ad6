#include "keeper/doctor/check.hpp"

#include <algorithm>
#include <cstdio>

namespace keeper::doctor {

std::string_view to_string(Status s) noexcept {
  switch (s) {
    case Status::ok: return "ok";
    case Status::warn: return "warn";
    case Status::fail: return "FAIL";
    case Status::skipped: return "skip";
  }
  return "?";
}

void Report::add(std::string name, Status status, std::string detail) {
  checks_.push_back({std::move(name), status, std::move(detail)});
}

bool Report::passed() const noexcept {
  return std::none_of(checks_.begin(), checks_.end(),
                      [](const Check& c) { return c.status == Status::fail; });
}

std::string Report::text() const {
  std::string out;
  std::string failed;
  std::size_t failures = 0;
  for (const auto& c : checks_) {
    char head[64];
    std::snprintf(head, sizeof head, "%-5s %-22s ", std::string{to_string(c.status)}.c_str(),
                  c.name.c_str());
    out += head + c.detail + "\n";
    if (c.status != Status::fail) continue;
    ++failures;
    failed += (failed.empty() ? "" : ", ") + c.name;
  }
  out += failures == 0
             ? "doctor: ready (" + std::to_string(checks_.size()) + " checks, none failed)\n"
             : "doctor: NOT ready: " + std::to_string(failures) + " failed (" + failed + ")\n";
  return out;
}

nlohmann::json Report::json() const {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : checks_)
    checks.push_back(nlohmann::json{
        {"name", c.name},
        {"status", c.status == Status::fail ? "fail" : std::string{to_string(c.status)}},
        {"detail", c.detail}});
  return nlohmann::json{{"passed", passed()}, {"checks", checks}};
}

}  // namespace keeper::doctor
