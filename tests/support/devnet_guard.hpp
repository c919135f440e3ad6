#pragma once
// Stops a test's devnet (by the PID it recorded) and removes its folder however the test ends,
// so a failed assertion never leaves an anvil behind. KEEPER_E2E_KEEP_DIR=1 keeps the folder
// (keeper's and anvil's logs) for a look after a failure; the node is stopped all the same.
#include <cstdlib>
#include <filesystem>

#include "tests/support/run_command.hpp"

namespace keeper::testing {

struct DevnetGuard {
  std::filesystem::path dir;
  ~DevnetGuard() {
    run_command(keeper_command("devnet down --dir " + dir.string()));
    if (std::getenv("KEEPER_E2E_KEEP_DIR") != nullptr) return;
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

}  // namespace keeper::testing
