#pragma once
// A test-only way to kill keeper at an exact point of a send, for the crash tests
// (tests/e2e_faults/crash_loop_test.cpp): KEEPER_TEST_CRASH_AT=<point>:<n> makes the process
// SIGKILL itself the n-th time it reaches <point>. Read once when the transaction manager is made;
// unset (always, outside those tests), each point costs one test of a bool.
#include <cstdint>
#include <optional>
#include <string_view>

namespace keeper::tx {

enum class CrashPoint {
  signed_not_journalled,  // a batch is signed, nothing of it is in the journal yet
  journalled_not_sent,    // in the journal, not yet on the wire
  sent_not_settled,       // on the wire, no receipt followed yet
};

[[nodiscard]] std::optional<CrashPoint> parse_crash_point(std::string_view name) noexcept;

class CrashHook {
 public:
  // From KEEPER_TEST_CRASH_AT; disarmed when unset or malformed (a malformed value is reported
  // on stderr once, since only a test sets it).
  [[nodiscard]] static CrashHook from_environment();

  void reached(CrashPoint point) {
    if (armed_) [[unlikely]]
      count(point);
  }

 private:
  void count(CrashPoint point);
  bool armed_ = false;
  CrashPoint point_ = CrashPoint::signed_not_journalled;
  std::uint64_t remaining_ = 0;
};

}  // namespace keeper::tx
