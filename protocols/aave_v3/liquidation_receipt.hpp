#pragma once
// What a mined liquidation actually did, read from its receipt: the Pool's LiquidationCall event
// (debt repaid, collateral received) priced at the oracle, minus the gas the receipt says was paid.
#include <optional>

#include "chain/rpc/types.hpp"
#include "protocols/aave_v3/market.hpp"

namespace protocols::aave_v3 {

struct RealisedLiquidation {
  chain::Address user;
  chain::Address collateral_asset;
  chain::Address debt_asset;
  chain::u256 debt_repaid;          // debt asset units
  chain::u256 collateral_received;  // collateral asset units (aTokens when receiveAToken)
  chain::u256 gas_paid_wei;         // gasUsed * effectiveGasPrice
  double profit_usd = 0;            // collateral - debt - gas, at `market`'s prices
  // A flash liquidation by keeper's contract: what it sent the owner, in the debt asset, after
  // selling the collateral and repaying the loan (profit_usd is then this less gas).
  std::optional<chain::u256> flash_profit;
};

// KeeperLiquidator's FlashLiquidated event: its profit word for `user`, when `contract` logged
// one in `receipt`.
[[nodiscard]] std::optional<chain::u256> flash_profit_of(const chain::rpc::Receipt& receipt,
                                                         const chain::Address& contract,
                                                         const chain::Address& user);

// The LiquidationCall logged by `pool` for `liquidator` in `receipt`; nullopt if there is none or
// it names assets `market` does not list. Gas is priced with `native_asset`'s reserve (the
// wrapped native token, by address), or the reserve named WETH when none is configured.
[[nodiscard]] std::optional<RealisedLiquidation> realised_liquidation(
    const chain::rpc::Receipt& receipt, const chain::Address& pool,
    const chain::Address& liquidator, const protocols::aave_v3::Market& market,
    const std::optional<chain::Address>& native_asset = std::nullopt);

}  // namespace protocols::aave_v3
