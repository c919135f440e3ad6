#pragma once
// The programs the tests run, from this build. Only build_paths.cpp is compiled with their paths,
// so that test objects are the same in every checkout and build directory (and cached).
#include <string>

namespace keeper::testing {

[[nodiscard]] const std::string& keeper_binary();  // this build's keeper
[[nodiscard]] const std::string& anvil_binary();   // the checkout's pinned anvil

}  // namespace keeper::testing
