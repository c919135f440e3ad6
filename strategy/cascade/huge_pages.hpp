#pragma once
// Backing a large, long-lived structure with 2 MiB pages where the kernel allows it.
#include <cstddef>

namespace strategy::cascade {

// Asks the kernel to back [first, last) with transparent huge pages, now rather than when
// khugepaged gets to it: MADV_HUGEPAGE, then MADV_COLLAPSE (Linux 6.1). The range is widened
// to whole 2 MiB pages; it must lie in private anonymous memory the process owns (the heap).
// Advice only: contents are unchanged whatever the answer. Returns whether the collapse was
// done (false with THP disabled, an older kernel, or a range over 1 GiB, which is left alone).
bool back_with_huge_pages(const void* first, const void* last) noexcept;

// The same over a vector's whole capacity (its elements and the room reserve() made).
template <typename Vector>
bool back_with_huge_pages(const Vector& v) noexcept {
  const auto* first = reinterpret_cast<const char*>(v.data());
  return back_with_huge_pages(first, first + v.capacity() * sizeof(*v.data()));
}

}  // namespace strategy::cascade
