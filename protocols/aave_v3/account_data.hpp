#pragma once
// GenericLogic.calculateUserAccountData reproduced in uint256: the six values of
// Pool.getUserAccountData at a given block timestamp, to the wei.
#include <cstdint>
#include <span>
#include <string_view>

#include <tl/expected.hpp>

#include "protocols/aave_v3/market.hpp"

namespace protocols::aave_v3 {

struct AccountData {
  chain::u256 total_collateral_base;
  chain::u256 total_debt_base;
  chain::u256 available_borrows_base;
  chain::u256 current_liquidation_threshold;
  chain::u256 ltv;
  chain::u256 health_factor;  // 1e18 scale; uint256 max without debt
  friend bool operator==(const AccountData&, const AccountData&) = default;
};

// Where the Pool would revert (arithmetic overflow), keeper refuses to guess.
enum class MathError { overflow, unknown_reserve };
[[nodiscard]] std::string_view describe(MathError e) noexcept;

// ReserveLogic.getNormalizedIncome / getNormalizedDebt at `timestamp`.
[[nodiscard]] tl::expected<chain::u256, MathError> normalized_income(const Reserve& r,
                                                                     std::uint64_t timestamp);
[[nodiscard]] tl::expected<chain::u256, MathError> normalized_debt(const Reserve& r,
                                                                   std::uint64_t timestamp);

// Token balances as the tokens' balanceOf returns them at `timestamp`.
[[nodiscard]] tl::expected<chain::u256, MathError> a_token_balance(const Reserve& r,
                                                                   const Position& p,
                                                                   std::uint64_t timestamp);
[[nodiscard]] tl::expected<chain::u256, MathError> variable_debt_balance(const Reserve& r,
                                                                         const Position& p,
                                                                         std::uint64_t timestamp);
[[nodiscard]] tl::expected<chain::u256, MathError> stable_debt_balance(const Position& p,
                                                                       std::uint64_t timestamp);

// The price the Pool uses for `reserve` for a user in eMode `emode`.
[[nodiscard]] const chain::u256& effective_price(const Market& m, const Reserve& r,
                                                 std::uint8_t emode);

[[nodiscard]] tl::expected<AccountData, MathError> account_data(const Market& market,
                                                                const Account& account,
                                                                std::uint64_t timestamp);

// The balances account_data read of one position, for a caller that goes on to price
// liquidations of the same account at the same time and would otherwise read them again.
struct PositionBalances {
  chain::u256 a_token;  // read when the position is collateral with a threshold
  chain::u256 variable_debt;
  chain::u256 stable_debt;  // both read when the position is borrowed
  bool collateral_read = false;
  bool debt_read = false;
};
// account_data, recording into `read` (one entry per account.positions, by index; another size
// records nothing) the balances it read.
[[nodiscard]] tl::expected<AccountData, MathError> account_data(const Market& market,
                                                                const Account& account,
                                                                std::uint64_t timestamp,
                                                                std::span<PositionBalances> read);

}  // namespace protocols::aave_v3
