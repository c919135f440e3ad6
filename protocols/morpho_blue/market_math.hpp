#pragma once
// What Morpho.sol does to one market's numbers: `_accrueInterest`, `_isHealthy` and `liquidate`,
// each with Morpho's exact rounding.
#include <cstdint>
#include <optional>
#include <utility>

#include <tl/expected.hpp>

#include "protocols/morpho_blue/market_params.hpp"
#include "protocols/morpho_blue/math.hpp"

namespace protocols::morpho_blue {

struct Accrual {
  u256 interest;
  u256 fee_shares;
};

// `_accrueInterest` at `timestamp` with `borrow_rate` (per second, WAD: what the market's IRM
// returns for the market's stored state); updates `totals` and returns what the AccrueInterest
// event reports (zero when no time elapsed). Without an IRM only last_update moves.
Accrual accrue_interest(MarketTotals& totals, const u256& borrow_rate, std::uint64_t timestamp,
                        bool has_irm = true);

// `_isHealthy(marketParams, id, borrower, collateralPrice)`'s two sides.
struct Health {
  u256 borrowed;    // toAssetsUp(borrowShares)
  u256 max_borrow;  // collateral.mulDivDown(price, 1e36).wMulDown(lltv)
  [[nodiscard]] bool healthy() const { return max_borrow >= borrowed; }
};
[[nodiscard]] Health health(const MarketTotals& totals, const Position& position, const u256& lltv,
                            const u256& collateral_price);
// max_borrow / borrowed in WAD (an Aave-like health factor for ranking and display; the decision
// is Health::healthy); kU256Max when nothing is borrowed.
[[nodiscard]] u256 health_factor(const Health& h);

// What `liquidate(marketParams, borrower, seizedAssets, repaidShares, data)` does, computed from
// the market and position after accrual.
struct LiquidationOutcome {
  u256 seized_assets;
  u256 repaid_shares;
  u256 repaid_assets;
  u256 bad_debt_assets;
  u256 bad_debt_shares;
};
enum class LiquidationRefusal {
  healthy,             // "position is healthy"
  inconsistent_input,  // not exactly one of seizedAssets, repaidShares is zero
  zero_price,          // the oracle answered 0 (a division by zero on chain)
  too_much,            // more shares repaid or collateral seized than the position has
  overflow,            // an arithmetic overflow on chain
};
// With `seized_assets` > 0 (and repaid_shares 0) Morpho derives the shares to repay, rounding up;
// with `repaid_shares` > 0 it derives the collateral seized, rounding down. `totals` and `position`
// are updated as Morpho updates them (bad debt realised when no collateral is left).
[[nodiscard]] tl::expected<LiquidationOutcome, LiquidationRefusal> liquidate(
    MarketTotals& totals, Position& position, const u256& lltv, const u256& collateral_price,
    const u256& seized_assets, const u256& repaid_shares);

// The largest collateral a liquidation can seize from `position` in one call: all of it, unless its
// value at the incentive exceeds the debt, then what repaying every borrow share buys.
[[nodiscard]] u256 max_seizable(const MarketTotals& totals, const Position& position,
                                const u256& lltv, const u256& collateral_price);

// Assets' worth of borrow shares a seizure leaves unrepaid (see largest_seizure).
inline constexpr std::uint64_t kShareMarginAssets = 16;

// Largest seizable collateral in (0, upper] whose liquidation Morpho accepts and whose repaid
// assets stay within `max_repaid`, with its outcome at `totals`; nullopt when none.
//
// Accepted at `totals` (accrued to the evaluation's timestamp) and also at `earliest` (accrued
// only to the head's): less interest makes each borrow share worth less, so the same seizure
// takes more shares, and a seizure that repays every share at the later timestamp would take
// more shares than the borrower has at the head's, where Morpho's `borrowShares -= repaidShares`
// panics (0x11). A block can carry no earlier timestamp than the head's.
//
// It also leaves `margin_assets` of assets' worth of shares unrepaid: other liquidations of the
// market may land before it in the same block, and one that writes off bad debt rounds the assets
// it removes up, so each remaining share is worth a little less and the same seizure takes a few
// more shares (a few 1e6 virtual shares per asset unit, each time). Repaying to the very last
// share would then panic too. When the seizure takes all the collateral Morpho writes the shares
// left off as bad debt, so nothing stays behind.
[[nodiscard]] std::optional<std::pair<u256, LiquidationOutcome>> largest_seizure(
    const MarketTotals& totals, const MarketTotals& earliest, const Position& position,
    const u256& lltv, const u256& price, const u256& upper, const u256& max_repaid,
    const u256& margin_assets = u256{kShareMarginAssets});

}  // namespace protocols::morpho_blue
