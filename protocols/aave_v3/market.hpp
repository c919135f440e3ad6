#pragma once
// The in-memory Aave V3 market: reserves, eMode categories, prices and account positions, in the
// Pool's own units, exactly as read from chain.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "chain/address.hpp"
#include "protocols/aave_v3/reserve_config.hpp"

namespace protocols::aave_v3 {

using chain::Address;

struct Reserve {
  Address asset;
  std::uint16_t id = 0;  // index in the Pool's reserves list (the user-config bit position / 2)
  chain::u256 config_raw;
  ReserveConfig config;
  chain::u256 liquidity_index;
  chain::u256 variable_borrow_index;
  chain::u256 liquidity_rate;
  chain::u256 variable_borrow_rate;
  chain::u256 stable_borrow_rate;
  std::uint64_t last_update = 0;
  Address a_token;
  Address stable_debt_token;
  Address variable_debt_token;
  chain::u256 price;  // AaveOracle.getAssetPrice, base currency units
  Address price_source;
  std::string symbol;
};

struct EModeCategory {
  std::uint16_t ltv = 0;
  std::uint16_t liquidation_threshold = 0;
  std::uint16_t liquidation_bonus = 0;
  Address price_source;  // zero: assets keep their own prices
  chain::u256 price;     // oracle price of price_source when set
  std::string label;
};

struct Position {
  std::uint16_t reserve = 0;
  chain::u256 scaled_a_token;        // AToken.scaledBalanceOf
  chain::u256 scaled_variable_debt;  // VariableDebtToken.scaledBalanceOf
  chain::u256 stable_principal;      // StableDebtToken.principalBalanceOf
  chain::u256 stable_rate;           // StableDebtToken.getUserStableRate
  std::uint64_t stable_last_update = 0;
};

struct Account {
  UserConfig config;
  std::uint8_t emode = 0;
  std::vector<Position> positions;  // sorted by reserve id; only reserves with a balance

  [[nodiscard]] const Position* position(std::uint16_t reserve) const noexcept;
};

struct Market {
  std::vector<Reserve> reserves;  // by id
  std::map<std::uint8_t, EModeCategory> emodes;
  chain::u256 base_currency_unit{100'000'000};  // 1e8 (USD, 8 decimals) on Ethereum
  std::uint32_t flash_loan_premium_bps = 0;     // FLASHLOAN_PREMIUM_TOTAL: 5 (0.05%) on Ethereum

  [[nodiscard]] const Reserve* reserve_of(const Address& asset) const noexcept;
};

}  // namespace protocols::aave_v3
