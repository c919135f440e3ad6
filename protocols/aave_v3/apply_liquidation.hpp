#pragma once
// What one liquidation leaves of an account, as LiquidationLogic.executeLiquidationCall leaves
// it: scaled balances burnt at the indexes of the liquidation's timestamp, the treasury's fee,
// the collateral and borrowing flags cleared when a balance is taken whole.
#include <cstdint>
#include <string>

#include <tl/expected.hpp>

#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/liquidation.hpp"

namespace protocols::aave_v3 {

// What a caller already computed at the liquidation's timestamp; what is given is not computed
// again.
struct LiquidationReads {
  const PositionBalances* debt = nullptr;        // the debt position's, as account_data read it
  const PositionBalances* collateral = nullptr;  // the collateral position's
  // The liquidator's share in scaled aTokens: ray_div(collateral_to_liquidator, income index).
  const chain::u256* collateral_scaled = nullptr;
};

// Errors where the Pool would revert.
[[nodiscard]] tl::expected<void, std::string> apply_liquidation(
    const Market& market, Account& account, std::uint16_t collateral, std::uint16_t debt,
    const LiquidationOutcome& outcome, std::uint64_t timestamp, const LiquidationReads& known = {});

}  // namespace protocols::aave_v3
