#pragma once
// Bytes that must never be printed, logged or left in memory: wiped on destruction and on move,
// not copyable, no stream operator, no conversion to text.
#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace chain {

class Secret32 {
 public:
  Secret32() = default;
  explicit Secret32(std::span<const std::uint8_t, 32> bytes) noexcept;
  Secret32(const Secret32&) = delete;
  Secret32& operator=(const Secret32&) = delete;
  Secret32(Secret32&& other) noexcept;
  Secret32& operator=(Secret32&& other) noexcept;
  ~Secret32();

  [[nodiscard]] std::span<const std::uint8_t, 32> bytes() const noexcept { return bytes_; }
  [[nodiscard]] std::span<std::uint8_t, 32> mutable_bytes() noexcept { return bytes_; }

 private:
  std::array<std::uint8_t, 32> bytes_{};
};

// Overwrites memory in a way the optimiser may not remove.
void wipe(std::span<std::uint8_t> bytes) noexcept;
void wipe(std::string& text) noexcept;

}  // namespace chain
