#pragma once
// The checkout keeper was built from: where it finds its devnet contracts and the pinned anvil.
// Only source_dir.cpp is compiled with the path, so that every other object is the same in any
// checkout (a second checkout's build reuses them from the compiler cache).
#include <string>

namespace keeper::process {

[[nodiscard]] const std::string& source_dir();

}  // namespace keeper::process
