#include "protocols/aave_v3/reserve_config.hpp"

namespace protocols::aave_v3 {
namespace {

using chain::u256;

std::uint64_t field(const u256& data, unsigned start, unsigned bits) {
  return chain::low_u64((data >> start) & ((u256{1} << bits) - 1));
}

void put(u256& data, unsigned start, std::uint64_t value) { data |= u256{value} << start; }

}  // namespace

ReserveConfig ReserveConfig::decode(const u256& d) {
  ReserveConfig c;
  c.ltv = static_cast<std::uint32_t>(field(d, 0, 16));
  c.liquidation_threshold = static_cast<std::uint32_t>(field(d, 16, 16));
  c.liquidation_bonus = static_cast<std::uint32_t>(field(d, 32, 16));
  c.decimals = static_cast<std::uint32_t>(field(d, 48, 8));
  c.active = field(d, 56, 1) != 0;
  c.frozen = field(d, 57, 1) != 0;
  c.borrowing_enabled = field(d, 58, 1) != 0;
  c.stable_borrowing_enabled = field(d, 59, 1) != 0;
  c.paused = field(d, 60, 1) != 0;
  c.borrowable_in_isolation = field(d, 61, 1) != 0;
  c.siloed_borrowing = field(d, 62, 1) != 0;
  c.flashloan_enabled = field(d, 63, 1) != 0;
  c.reserve_factor = static_cast<std::uint32_t>(field(d, 64, 16));
  c.borrow_cap = field(d, 80, 36);
  c.supply_cap = field(d, 116, 36);
  c.liquidation_protocol_fee = static_cast<std::uint32_t>(field(d, 152, 16));
  c.emode_category = static_cast<std::uint8_t>(field(d, 168, 8));
  c.unbacked_mint_cap = field(d, 176, 36);
  c.debt_ceiling = field(d, 212, 40);
  return c;
}

u256 ReserveConfig::encode() const {
  u256 d = 0;
  put(d, 0, ltv);
  put(d, 16, liquidation_threshold);
  put(d, 32, liquidation_bonus);
  put(d, 48, decimals);
  put(d, 56, active);
  put(d, 57, frozen);
  put(d, 58, borrowing_enabled);
  put(d, 59, stable_borrowing_enabled);
  put(d, 60, paused);
  put(d, 61, borrowable_in_isolation);
  put(d, 62, siloed_borrowing);
  put(d, 63, flashloan_enabled);
  put(d, 64, reserve_factor);
  put(d, 80, borrow_cap);
  put(d, 116, supply_cap);
  put(d, 152, liquidation_protocol_fee);
  put(d, 168, emode_category);
  put(d, 176, unbacked_mint_cap);
  put(d, 212, debt_ceiling);
  return d;
}

}  // namespace protocols::aave_v3
