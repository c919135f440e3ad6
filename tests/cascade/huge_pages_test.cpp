// back_with_huge_pages against the running kernel: the range it is given ends up in 2 MiB pages
// (as /proc/self/smaps reports them) with its contents unchanged, and ranges it must not touch
// are refused.
#include <catch2/catch.hpp>

#include <sys/mman.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "strategy/cascade/huge_pages.hpp"

namespace {

// The kernel's THP mode, the bracketed word of /sys/kernel/mm/transparent_hugepage/enabled.
std::string thp_mode() {
  std::ifstream in{"/sys/kernel/mm/transparent_hugepage/enabled"};
  std::string line;
  std::getline(in, line);
  const auto open = line.find('[');
  const auto close = line.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return "";
  return line.substr(open + 1, close - open - 1);
}

// AnonHugePages, in kB, of the mapping of /proc/self/smaps that starts at `start`.
long huge_kb_of_mapping(std::uintptr_t start) {
  std::ifstream in{"/proc/self/smaps"};
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    const auto dash = line.find('-');
    if (dash != std::string::npos && dash > 0 && line.find(' ') > dash &&
        line.find_first_not_of("0123456789abcdef") == dash) {
      inside = std::stoull(line.substr(0, dash), nullptr, 16) == start;
      continue;
    }
    if (inside && line.rfind("AnonHugePages:", 0) == 0) {
      std::istringstream fields{line.substr(14)};
      long kb = 0;
      fields >> kb;
      return kb;
    }
  }
  return -1;
}

}  // namespace

TEST_CASE("a range backed with huge pages keeps its contents and is in 2 MiB pages", "[cascade]") {
  // 8 MiB of private anonymous memory at a 2 MiB boundary, filled with a pattern.
  constexpr std::size_t kBytes = std::size_t{8} << 20;
  void* mapped = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(mapped != MAP_FAILED);
  auto* bytes = static_cast<std::uint8_t*>(mapped);
  for (std::size_t i = 0; i < kBytes; ++i) bytes[i] = static_cast<std::uint8_t>(i * 131 + 7);

  const bool collapsed = strategy::cascade::back_with_huge_pages(bytes + 4096, bytes + kBytes - 1);
  const std::string mode = thp_mode();
  INFO("transparent_hugepage/enabled: [" << mode << "]");
  if (mode == "never") CHECK_FALSE(collapsed);
  // A collapse reported done is in 2 MiB pages. The kernel may decline one (no free huge page,
  // a kernel before 6.1): advice only, so that is no failure, and it says so.
  if (collapsed)
    CHECK(huge_kb_of_mapping(reinterpret_cast<std::uintptr_t>(mapped)) >= 2048);
  else
    WARN("the kernel did not collapse the range (THP " << mode << ")");
  bool same = true;
  for (std::size_t i = 0; i < kBytes; ++i)
    same = same && bytes[i] == static_cast<std::uint8_t>(i * 131 + 7);
  CHECK(same);
  munmap(mapped, kBytes);
}

TEST_CASE("empty, reversed and oversized ranges are left alone", "[cascade]") {
  static const char here[8] = {};
  CHECK_FALSE(strategy::cascade::back_with_huge_pages(here, here));
  CHECK_FALSE(strategy::cascade::back_with_huge_pages(here + 4, here));
  // Over 1 GiB: refused before the kernel is asked.
  // NOLINTBEGIN(performance-no-int-to-ptr): addresses handed over, never dereferenced
  const auto* lo = reinterpret_cast<const char*>(std::uintptr_t{3} << 30);
  const auto* hi = reinterpret_cast<const char*>(std::uintptr_t{5} << 30);
  // NOLINTEND(performance-no-int-to-ptr)
  CHECK_FALSE(strategy::cascade::back_with_huge_pages(lo, hi));
}
