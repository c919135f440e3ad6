#include "strategy/cascade/huge_pages.hpp"

#include <sys/mman.h>

#include <cstdint>

// Linux 6.1's value; older headers lack the name (an older kernel answers EINVAL).
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

namespace strategy::cascade {

bool back_with_huge_pages(const void* first, const void* last) noexcept {
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
  constexpr std::uintptr_t kMostBytes = std::uintptr_t{1} << 30;
  const auto lo = reinterpret_cast<std::uintptr_t>(first) & ~(kHugePage - 1);
  const auto hi = (reinterpret_cast<std::uintptr_t>(last) + kHugePage - 1) & ~(kHugePage - 1);
  if (hi <= lo || hi - lo > kMostBytes) return false;
  // NOLINTNEXTLINE(performance-no-int-to-ptr): an address range handed to the kernel, not read
  void* start = reinterpret_cast<void*>(lo);
  // Holes in the range (ENOMEM) still have the advice applied to what is mapped around them.
  (void)madvise(start, hi - lo, MADV_HUGEPAGE);
  return madvise(start, hi - lo, MADV_COLLAPSE) == 0;
}

}  // namespace strategy::cascade
