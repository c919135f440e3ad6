#pragma once
// Table-driven checks of keeper's command lines against the real binary. Every row fails (or asks
// for help) before any config is read or node is reached, so no devnet is needed.
#include <string>
#include <vector>

namespace keeper::testing {

struct UsageRow {
  std::string args;     // after "keeper"
  int exit_code;        // 0: --help, 2: a usage error, 1: parsed, then failed for real
  std::string message;  // expected in stdout for 0, in stderr otherwise
};

// Runs each row, checking the exit code, that the message is on the right stream and that the
// other stream stays quiet (help is not an error; a usage error prints no partial output).
void check_usage_rows(const std::vector<UsageRow>& rows);

}  // namespace keeper::testing
