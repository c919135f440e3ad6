#include "keeper/tx/crash_hook.hpp"

#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace keeper::tx {

std::optional<CrashPoint> parse_crash_point(std::string_view name) noexcept {
  if (name == "signed") return CrashPoint::signed_not_journalled;
  if (name == "journalled") return CrashPoint::journalled_not_sent;
  if (name == "sent") return CrashPoint::sent_not_settled;
  return std::nullopt;
}

CrashHook CrashHook::from_environment() {
  CrashHook hook;
  const char* value = std::getenv("KEEPER_TEST_CRASH_AT");
  if (value == nullptr || *value == '\0') return hook;
  const std::string_view text{value};
  const auto colon = text.find(':');
  const auto point = parse_crash_point(text.substr(0, colon));
  std::uint64_t n = 1;
  bool ok = point.has_value();
  if (ok && colon != std::string_view::npos) {
    const auto digits = text.substr(colon + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    ok = ec == std::errc{} && end == digits.data() + digits.size() && n >= 1;
  }
  if (!ok) {
    std::fprintf(stderr, "KEEPER_TEST_CRASH_AT='%s' ignored: expected signed|journalled|sent[:N]\n",
                 value);
    return hook;
  }
  hook.armed_ = true;
  hook.point_ = *point;
  hook.remaining_ = n;
  return hook;
}

void CrashHook::count(CrashPoint point) {
  if (point != point_ || --remaining_ != 0) return;
  // As abrupt as the test's kill -9: no destructor, no flush, no snapshot.
  ::kill(::getpid(), SIGKILL);
}

}  // namespace keeper::tx
