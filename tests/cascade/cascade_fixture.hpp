#pragma once
// The in-memory Aave V3 market the cascade unit tests share: WETH collateral and USDC debt, and
// four accounts from comfortably healthy to bad debt at WETH $2000.
#include <cstdint>
#include <map>

#include "chain/address.hpp"
#include "chain/uint256.hpp"
#include "protocols/aave_v3/market.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"

namespace keeper::testing::cascade_fixture {

using chain::Address;
using chain::u256;
namespace aave = protocols::aave_v3;

inline Address addr(std::uint8_t b) {
  Address a{};
  a.bytes[19] = b;
  return a;
}

inline constexpr std::uint64_t kNow = 1'000;

inline aave::Reserve reserve(std::uint16_t id, const char* symbol, unsigned decimals,
                             std::uint64_t price, std::uint32_t lt, std::uint32_t bonus) {
  aave::Reserve r;
  r.id = id;
  r.symbol = symbol;
  r.asset = addr(static_cast<std::uint8_t>(100 + id));
  r.config.decimals = decimals;
  r.config.liquidation_threshold = lt;
  r.config.ltv = lt - 500;
  r.config.liquidation_bonus = bonus;
  r.config.liquidation_protocol_fee = 1000;  // 10% of the bonus to the treasury
  r.config.active = true;
  r.liquidity_index = aave::kRay;
  r.variable_borrow_index = aave::kRay;
  r.last_update = kNow;
  r.price = price;
  return r;
}

// `weth` WETH supplied as collateral, `usdc` USDC borrowed (whole tokens).
inline aave::Account account(std::uint64_t weth, std::uint64_t usdc) {
  aave::Account a;
  a.config.data = 0b0110;
  a.positions.push_back({0, u256{weth} * aave::pow10(18), 0, 0, 0, 0});
  a.positions.push_back({1, 0, u256{usdc} * aave::pow10(6), 0, 0, 0});
  return a;
}

inline aave::Market market() {
  aave::Market m;
  m.reserves = {reserve(0, "WETH", 18, 2000'00000000ULL, 8250, 10500),
                reserve(1, "USDC", 6, 1'00000000ULL, 8000, 10450)};
  return m;
}

// At WETH $2000 (LT 82.5%): A 1.1, B 1.03125, C 0.9706, D 0.66 (too little collateral: bad debt
// once liquidated).
inline std::map<Address, aave::Account> positions() {
  return {{addr(1), account(1000, 1'500'000)},
          {addr(2), account(1000, 1'600'000)},
          {addr(3), account(1000, 1'700'000)},
          {addr(4), account(1, 2'500)}};
}

}  // namespace keeper::testing::cascade_fixture
