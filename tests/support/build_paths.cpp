#include "tests/support/build_paths.hpp"

namespace keeper::testing {

const std::string& keeper_binary() {
  static const std::string path{KEEPER_BINARY};
  return path;
}

const std::string& anvil_binary() {
  static const std::string path{KEEPER_ANVIL};
  return path;
}

}  // namespace keeper::testing
