#pragma once
// keeper's liquidator contract (contracts/KeeperLiquidator.sol) liquidating on Aave V3: its
// arguments carry what the contract needs to re-check the account cheaply on chain.
#include <string_view>

#include <tl/expected.hpp>

#include "chain/abi/signature.hpp"

namespace protocols::aave_v3 {

inline constexpr std::string_view kLiquidateSignature =
    "liquidate(address,address,address,uint256,address,uint256,bool)";
inline constexpr std::string_view kLiquidateWithFlashLoanSignature =
    "liquidateWithFlashLoan((address,address,address,uint256,address,uint256,address,bytes,uint256,"
    "uint256))";

// The arguments of KeeperLiquidator.liquidate, in its order.
struct LiquidateArgs {
  chain::Address collateral;
  chain::Address debt;
  chain::Address user;
  chain::u256
      debt_to_cover;  // exact: the contract pulls this much from the owner when it holds less
  chain::Address variable_debt_token;  // of `debt`, for the cheap re-check
  // The user's scaled variable debt when keeper decided: when the chain holds less, the contract
  // stops cheaply (someone repaid or liquidated first). 0 skips the check.
  chain::u256 min_scaled_debt;
  bool receive_a_token = false;
};

[[nodiscard]] tl::expected<chain::Bytes, chain::abi::AbiError> liquidate_calldata(
    const LiquidateArgs& args);

// The fields of KeeperLiquidator.FlashLiquidation, in its order: liquidate with the debt asset
// borrowed from the Pool, sell the seized collateral along `path`, repay, keep the rest.
struct FlashLiquidateArgs {
  chain::Address collateral;
  chain::Address debt;
  chain::Address user;
  chain::u256 debt_to_cover;  // borrowed with flashLoanSimple; what the Pool does not take returns
  chain::Address variable_debt_token;  // of `debt`, for the cheap re-check
  chain::u256 min_scaled_debt;         // as in LiquidateArgs: less on chain stops the call cheaply
  chain::Address router;               // Uniswap V3 SwapRouter
  chain::Bytes path;                   // from `collateral` to `debt`, Uniswap's packed encoding
  chain::u256 amount_out_minimum;      // of `debt` for all the seized collateral: less reverts
  chain::u256 min_profit;              // of `debt`, after the flash loan's premium: less reverts
};

[[nodiscard]] tl::expected<chain::Bytes, chain::abi::AbiError> flash_liquidate_calldata(
    const FlashLiquidateArgs& args);

}  // namespace protocols::aave_v3
