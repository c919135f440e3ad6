#pragma once
// keeper's liquidator contract (contracts/KeeperLiquidator.sol) on Morpho Blue: the
// liquidateMorpho call, with or without the swap of the seized collateral in Morpho's callback,
// and the contract's MorphoLiquidated event.
#include <optional>

#include "chain/bytes.hpp"
#include "chain/rpc/types.hpp"
#include "protocols/morpho_blue/market_params.hpp"

namespace protocols::morpho_blue {

inline constexpr const char* kLiquidateMorphoSignature =
    "liquidateMorpho((address,(address,address,address,address,uint256),address,uint256,uint256,"
    "address,bytes,uint256,uint256))";

struct ContractLiquidation {
  Address morpho;
  MarketParams params;
  Address borrower;
  u256 seized_assets;
  u256 min_borrow_shares;  // the borrower's shares now: fewer on chain means someone was first
  Address router;          // zero: no swap, the wallet pays and receives the collateral
  chain::Bytes path;
  u256 amount_out_minimum;
  u256 min_profit;
};

[[nodiscard]] chain::Bytes liquidate_morpho_calldata(const ContractLiquidation& c);

// The contract's MorphoLiquidated(borrower, marketId, loanToken, repaid, seized, bought, profit).
struct ContractLiquidated {
  Address borrower;
  MarketId market;
  u256 repaid;
  u256 seized;
  u256 bought;
  u256 profit;
};
[[nodiscard]] const chain::Hash& morpho_liquidated_topic();
[[nodiscard]] std::optional<ContractLiquidated> decode_morpho_liquidated(
    const chain::rpc::Log& log);

}  // namespace protocols::morpho_blue
