#pragma once
// LiquidationLogic.executeLiquidationCall reproduced in uint256: for a (collateral, debt) pair and
// a requested debtToCover, what the Pool would repay, seize, and pay the treasury, to the wei.
#include <cstdint>
#include <string_view>

#include <tl/expected.hpp>

#include "protocols/aave_v3/account_data.hpp"

namespace protocols::aave_v3 {

inline const chain::u256 kCloseFactorHfThreshold{950'000'000'000'000'000ULL};  // 0.95e18
inline constexpr std::uint32_t kDefaultCloseFactor = 5000;                     // 50%
inline constexpr std::uint32_t kMaxCloseFactor = 10000;                        // 100%

// The Pool's own refusals, with Aave's error codes.
enum class LiquidationError {
  healthy,                      // 45 HEALTH_FACTOR_NOT_BELOW_THRESHOLD
  collateral_not_liquidatable,  // 46 COLLATERAL_CANNOT_BE_LIQUIDATED
  debt_not_borrowed,            // 47 SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER
  reserve_inactive_or_paused,   // 27 / 29
  math,                         // overflow: the Pool would revert
};
[[nodiscard]] std::string_view describe(LiquidationError e) noexcept;

struct LiquidationOutcome {
  chain::u256 health_factor;             // before, as the Pool computes it
  chain::u256 debt_repaid;               // debt asset units the liquidator pays
  chain::u256 collateral_to_liquidator;  // collateral units (underlying, or aTokens) received
  chain::u256 protocol_fee;              // collateral units to the treasury
  chain::u256 max_liquidatable;          // the close factor's share of the debt: one call's most
  std::uint32_t close_factor = 0;        // basis points applied
  bool collateral_capped = false;        // the account's collateral was the limit
};

[[nodiscard]] tl::expected<LiquidationOutcome, LiquidationError> liquidation_outcome(
    const Market& market, const Account& account, std::uint16_t collateral_reserve,
    std::uint16_t debt_reserve, const chain::u256& debt_to_cover, std::uint64_t timestamp);
// The same, with the account's health factor at `market`'s prices already known (what
// account_data gives): one account evaluated for several pairs computes it once.
[[nodiscard]] tl::expected<LiquidationOutcome, LiquidationError> liquidation_outcome_at(
    const Market& market, const Account& account, const chain::u256& health_factor,
    std::uint16_t collateral_reserve, std::uint16_t debt_reserve, const chain::u256& debt_to_cover,
    std::uint64_t timestamp);

// The same, with the debt position's and the collateral position's balances as account_data
// read them at `market`'s time (`debt_read`, `collateral_read`); one it did not read is read here.
[[nodiscard]] tl::expected<LiquidationOutcome, LiquidationError> liquidation_outcome_read(
    const Market& market, const Account& account, const chain::u256& health_factor,
    std::uint16_t collateral_reserve, std::uint16_t debt_reserve, const chain::u256& debt_to_cover,
    const PositionBalances& debt_read, const PositionBalances& collateral_read,
    std::uint64_t timestamp);

// _calculateAvailableCollateralToLiquidate and the treasury's share alone: what repaying up to
// `requested` (already within the close factor) takes from `balance` of collateral, the Pool's
// checks passed. Sets the amounts and collateral_capped; the rest is the caller's. A caller that
// knows the balance from an earlier outcome asks again for the amount that outcome repaid
// without reading the account's balances.
[[nodiscard]] tl::expected<LiquidationOutcome, LiquidationError> collateral_for_debt(
    const Market& market, const Account& account, std::uint16_t collateral_reserve,
    std::uint16_t debt_reserve, const chain::u256& requested, const chain::u256& balance);

}  // namespace protocols::aave_v3
