#pragma once
// Decoding of Aave V3's packed ReserveConfigurationMap and UserConfigurationMap bitmaps.
#include <cstdint>

#include "chain/uint256.hpp"

namespace protocols::aave_v3 {

struct ReserveConfig {
  std::uint32_t ltv = 0;                    // basis points
  std::uint32_t liquidation_threshold = 0;  // basis points
  std::uint32_t liquidation_bonus = 0;      // basis points, 10500 = 5% bonus
  std::uint32_t decimals = 0;
  bool active = false;
  bool frozen = false;
  bool borrowing_enabled = false;
  bool stable_borrowing_enabled = false;
  bool paused = false;
  bool borrowable_in_isolation = false;
  bool siloed_borrowing = false;
  bool flashloan_enabled = false;
  std::uint32_t reserve_factor = 0;
  std::uint64_t borrow_cap = 0;  // whole tokens
  std::uint64_t supply_cap = 0;
  std::uint32_t liquidation_protocol_fee = 0;  // basis points of the bonus
  std::uint8_t emode_category = 0;
  std::uint64_t unbacked_mint_cap = 0;
  std::uint64_t debt_ceiling = 0;  // 2 decimals

  [[nodiscard]] static ReserveConfig decode(const chain::u256& data);
  [[nodiscard]] chain::u256 encode() const;
  friend bool operator==(const ReserveConfig&, const ReserveConfig&) = default;
};

// Two bits per reserve index: bit 2i = borrowing, bit 2i+1 = using as collateral.
// A bit is read where it lies (every evaluation asks several times per reserve; shifting the
// whole 256-bit word costs tens of instructions); bits past 255 are clear, as a shift leaves them.
struct UserConfig {
  chain::u256 data;
  [[nodiscard]] bool borrowing(std::size_t reserve_index) const noexcept {
    return bit(2 * reserve_index);
  }
  [[nodiscard]] bool using_as_collateral(std::size_t reserve_index) const noexcept {
    return bit(2 * reserve_index + 1);
  }
  [[nodiscard]] bool empty() const noexcept { return data == 0; }

 private:
  [[nodiscard]] bool bit(std::size_t index) const noexcept {
    return index < 256 && chain::mp::bit_test(data, static_cast<unsigned>(index));
  }
};

}  // namespace protocols::aave_v3
