#include "protocols/aave_v3/apply_liquidation.hpp"

#include <algorithm>
#include <optional>

#include "protocols/aave_v3/wad_ray_math.hpp"

namespace protocols::aave_v3 {
namespace {

using chain::u256;

Position& position_of(Account& account, std::uint16_t reserve) {
  const auto it =
      std::lower_bound(account.positions.begin(), account.positions.end(), reserve,
                       [](const Position& p, std::uint16_t r) { return p.reserve < r; });
  if (it != account.positions.end() && it->reserve == reserve) return *it;
  Position p;
  p.reserve = reserve;
  return *account.positions.insert(it, p);
}

void clear_bit(UserConfig& c, std::size_t bit) { c.data &= ~(u256{1} << bit); }

// ScaledBalanceTokenBase._burnScaled / _transfer: the scaled amount leaving the balance.
tl::expected<void, std::string> burn_scaled(u256& scaled, const u256& amount, const u256& index,
                                            const char* what, const u256* amount_scaled = nullptr) {
  const auto s =
      amount_scaled != nullptr ? std::optional<u256>{*amount_scaled} : ray_div(amount, index);
  if (!s) return tl::unexpected(std::string{"overflow burning "} + what);
  if (*s > scaled) return tl::unexpected(std::string{"burning more "} + what + " than held");
  scaled -= *s;
  return {};
}

}  // namespace

tl::expected<void, std::string> apply_liquidation(const Market& market, Account& account,
                                                  std::uint16_t collateral, std::uint16_t debt,
                                                  const LiquidationOutcome& outcome,
                                                  std::uint64_t timestamp,
                                                  const LiquidationReads& known) {
  const PositionBalances* debt_read = known.debt;
  const PositionBalances* collateral_read = known.collateral;
  if (collateral >= market.reserves.size() || debt >= market.reserves.size())
    return tl::unexpected(std::string{"unknown reserve"});
  const Reserve& d = market.reserves[debt];
  const Reserve& c = market.reserves[collateral];
  const auto debt_index = normalized_debt(d, timestamp);
  const auto income_index = normalized_income(c, timestamp);
  if (!debt_index || !income_index) return tl::unexpected(std::string{"index overflow"});

  // _burnDebtTokens: variable debt first, the rest from stable debt.
  {
    Position& p = position_of(account, debt);
    const bool read = debt_read != nullptr && debt_read->debt_read;
    const auto variable = read ? tl::expected<u256, MathError>{debt_read->variable_debt}
                               : variable_debt_balance(d, p, timestamp);
    const auto stable = read ? tl::expected<u256, MathError>{debt_read->stable_debt}
                             : stable_debt_balance(p, timestamp);
    if (!variable || !stable) return tl::unexpected(std::string{"debt balance overflow"});
    const u256 total = *variable + *stable;
    if (*variable >= outcome.debt_repaid) {
      if (outcome.debt_repaid != 0)
        if (auto ok = burn_scaled(p.scaled_variable_debt, outcome.debt_repaid, *debt_index,
                                  "variable debt");
            !ok)
          return ok;
    } else {
      if (*variable != 0)
        if (auto ok = burn_scaled(p.scaled_variable_debt, *variable, *debt_index, "variable debt");
            !ok)
          return ok;
      // Stable debt accrues into its principal on burn; what remains is principal again.
      const u256 rest = outcome.debt_repaid - *variable;
      p.stable_principal = *stable > rest ? *stable - rest : u256{0};
      p.stable_last_update = timestamp;
      if (p.stable_principal == 0) p.stable_rate = 0;
    }
    if (total == outcome.debt_repaid) clear_bit(account.config, 2 * std::size_t{debt});
  }
  // _burnCollateralATokens, then the treasury's fee through transferOnLiquidation.
  {
    Position& p = position_of(account, collateral);
    const auto balance = collateral_read != nullptr && collateral_read->collateral_read
                             ? tl::expected<u256, MathError>{collateral_read->a_token}
                             : a_token_balance(c, p, timestamp);
    if (!balance) return tl::unexpected(std::string{"collateral balance overflow"});
    if (auto ok = burn_scaled(p.scaled_a_token, outcome.collateral_to_liquidator, *income_index,
                              "collateral", known.collateral_scaled);
        !ok)
      return ok;
    if (outcome.protocol_fee != 0) {
      // The Pool caps the treasury's share at what is left, against 1 wei of rounding
      // (LiquidationLogic: "to avoid trying to send more aTokens than available on balance").
      // The scaled fee is burnt as computed, or recomputed from the cap when it exceeds what is
      // left: the same amounts as dividing again, one division fewer.
      auto scaled = ray_div(outcome.protocol_fee, *income_index);
      if (!scaled) return tl::unexpected(std::string{"overflow burning the fee"});
      if (*scaled > p.scaled_a_token) {
        const auto capped = ray_mul(p.scaled_a_token, *income_index);
        if (!capped) return tl::unexpected(std::string{"overflow capping the fee"});
        scaled = ray_div(*capped, *income_index);
        if (!scaled) return tl::unexpected(std::string{"overflow burning the fee"});
      }
      p.scaled_a_token = *scaled > p.scaled_a_token ? u256{0} : p.scaled_a_token - *scaled;
    }
    if (outcome.collateral_to_liquidator + outcome.protocol_fee == *balance)
      clear_bit(account.config, 2 * std::size_t{collateral} + 1);
  }
  return {};
}

}  // namespace protocols::aave_v3
