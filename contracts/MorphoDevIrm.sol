// SPDX-License-Identifier: MIT
pragma solidity ^0.8.10;

/// Morpho Blue's MarketParams and Market, laid out as in its IMorpho.sol, so that the ABI of
/// `borrowRate(MarketParams,Market)` is the one Morpho calls.
struct MorphoMarketParams {
  address loanToken;
  address collateralToken;
  address oracle;
  address irm;
  uint256 lltv;
}

struct MorphoMarket {
  uint128 totalSupplyAssets;
  uint128 totalSupplyShares;
  uint128 totalBorrowAssets;
  uint128 totalBorrowShares;
  uint128 lastUpdate;
  uint128 fee;
}

/// An interest rate model for keeper's devnet Morpho markets (Morpho's IIrm): a linear curve in
/// utilisation, base + slope x borrowed / supplied, per second (WAD). Stateless, so
/// `borrowRateView` with a market's stored state is exactly the rate its next accrual uses.
contract MorphoDevIrm {
  uint256 public immutable BASE_RATE_PER_SECOND;
  uint256 public immutable SLOPE_PER_SECOND;

  constructor(uint256 baseRatePerYear, uint256 slopePerYear) {
    BASE_RATE_PER_SECOND = baseRatePerYear / 365 days;
    SLOPE_PER_SECOND = slopePerYear / 365 days;
  }

  function borrowRateView(MorphoMarketParams memory, MorphoMarket memory market)
    public
    view
    returns (uint256)
  {
    if (market.totalSupplyAssets == 0) return BASE_RATE_PER_SECOND;
    uint256 utilization = (uint256(market.totalBorrowAssets) * 1e18) / market.totalSupplyAssets;
    return BASE_RATE_PER_SECOND + (SLOPE_PER_SECOND * utilization) / 1e18;
  }

  function borrowRate(MorphoMarketParams memory marketParams, MorphoMarket memory market)
    external
    view
    returns (uint256)
  {
    return borrowRateView(marketParams, market);
  }
}
