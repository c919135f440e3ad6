#pragma once
// The text of the current errno. std::strerror may share a static buffer between threads; the
// generic error category's message does not.
#include <cerrno>
#include <string>
#include <system_error>

namespace keeper {

[[nodiscard]] inline std::string errno_text() {
  return std::error_code(errno, std::generic_category()).message();
}

}  // namespace keeper
