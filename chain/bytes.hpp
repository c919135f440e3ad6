#pragma once
// Byte containers shared by every chain/ module.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

namespace chain {

using Bytes = std::vector<std::uint8_t>;
using BytesView = std::span<const std::uint8_t>;
template <std::size_t N>
using FixedBytes = std::array<std::uint8_t, N>;
using Hash = FixedBytes<32>;

[[nodiscard]] inline BytesView as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline void append(Bytes& out, BytesView more) { out.insert(out.end(), more.begin(), more.end()); }

// Hashes and addresses are already uniformly distributed: their first word is a good hash.
struct FixedBytesHash {
  template <std::size_t N>
  std::size_t operator()(const FixedBytes<N>& b) const noexcept {
    static_assert(N >= sizeof(std::size_t));
    std::size_t h = 0;
    for (std::size_t i = 0; i < sizeof(std::size_t); ++i) h = (h << 8) | b[N - 1 - i];
    return h;
  }
};

}  // namespace chain
