#pragma once
// Morpho Blue 1.0.0's fixed-point math, exactly as MathLib.sol and SharesMathLib.sol round.
//
// Solidity reverts where a product overflows 256 bits; here products are taken in 512 bits and a
// result that does not fit is reported as nullopt by the checked variants the adapter relies on
// for untrusted chain data (the plain ones are for values already known to be in range).
#include <optional>

#include "chain/uint256.hpp"

namespace protocols::morpho_blue {

using chain::u256;

inline const u256 kWad{1'000'000'000'000'000'000ULL};
// ORACLE_PRICE_SCALE: an oracle price is loan-token units per collateral-token unit, times 1e36.
inline const u256 kOraclePriceScale = kWad * kWad;
inline const u256 kVirtualShares{1'000'000};
inline const u256 kVirtualAssets{1};
inline const u256 kLiquidationCursor{300'000'000'000'000'000ULL};                // 0.3e18
inline const u256 kMaxLiquidationIncentiveFactor{1'150'000'000'000'000'000ULL};  // 1.15e18

// (x * y) / d and (x * y + d - 1) / d; d must not be zero.
[[nodiscard]] u256 mul_div_down(const u256& x, const u256& y, const u256& d);
[[nodiscard]] u256 mul_div_up(const u256& x, const u256& y, const u256& d);
// nullopt where Solidity would revert: d is zero, or x * y (+ d - 1) does not fit 256 bits.
[[nodiscard]] std::optional<u256> checked_mul_div_down(const u256& x, const u256& y, const u256& d);
[[nodiscard]] std::optional<u256> checked_mul_div_up(const u256& x, const u256& y, const u256& d);

[[nodiscard]] inline u256 w_mul_down(const u256& x, const u256& y) {
  return mul_div_down(x, y, kWad);
}
[[nodiscard]] inline u256 w_div_down(const u256& x, const u256& y) {
  return mul_div_down(x, kWad, y);
}
[[nodiscard]] inline u256 w_div_up(const u256& x, const u256& y) { return mul_div_up(x, kWad, y); }
// e^(x n) - 1 by its first three Taylor terms, as MathLib.wTaylorCompounded.
[[nodiscard]] u256 w_taylor_compounded(const u256& x, const u256& n);

// SharesMathLib: one virtual asset and 1e6 virtual shares per market.
[[nodiscard]] u256 to_shares_down(const u256& assets, const u256& total_assets,
                                  const u256& total_shares);
[[nodiscard]] u256 to_shares_up(const u256& assets, const u256& total_assets,
                                const u256& total_shares);
[[nodiscard]] u256 to_assets_down(const u256& shares, const u256& total_assets,
                                  const u256& total_shares);
[[nodiscard]] u256 to_assets_up(const u256& shares, const u256& total_assets,
                                const u256& total_shares);

// min(1.15e18, wDivDown(1e18, 1e18 - wMulDown(0.3e18, 1e18 - lltv))), as Morpho.liquidate; lltv
// must be below 1e18 (Morpho.enableLltv refuses more).
[[nodiscard]] u256 liquidation_incentive_factor(const u256& lltv);

}  // namespace protocols::morpho_blue
