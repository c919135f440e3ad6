#pragma once
// Runs a command line (test-controlled arguments only) and captures its output and exit code.
#include <string>
#include "tests/support/build_paths.hpp"

namespace keeper::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

CommandResult run_command(const std::string& command_line);

// The keeper binary under test with these arguments.
inline std::string keeper_command(const std::string& args) {
  return ::keeper::testing::keeper_binary() + " " + args;
}

// Quotes one argument for /bin/sh.
std::string shell_quote(const std::string& arg);

}  // namespace keeper::testing
