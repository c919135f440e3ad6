#pragma once
// Call data for keeper's own liquidator contract (contracts/KeeperLiquidator.sol).
#include <string_view>

#include <tl/expected.hpp>

#include "chain/abi/signature.hpp"
#include "protocols/aave_v3/liquidator_call.hpp"

namespace keeper::liquidator {

using chain::Address;
using chain::u256;

inline constexpr std::string_view kLiquidateWithFlashLoanSignature =
    "liquidateWithFlashLoan((address,address,address,uint256,address,uint256,address,bytes,uint256,"
    "uint256))";
inline constexpr std::string_view kWithdrawSignature = "withdraw(address,uint256)";
inline constexpr std::string_view kSweepSignature = "sweep(address)";

// The Aave V3 liquidation entry of the contract (its encoding is the protocol's).
using protocols::aave_v3::kLiquidateSignature;
using protocols::aave_v3::liquidate_calldata;
using protocols::aave_v3::LiquidateArgs;

// The fields of KeeperLiquidator.FlashLiquidation, in its order: liquidate with the debt asset
// borrowed from the Pool, sell the seized collateral along `path`, repay, keep the rest.
struct FlashLiquidateArgs {
  Address collateral;
  Address debt;
  Address user;
  u256 debt_to_cover;  // borrowed with flashLoanSimple; what the Pool does not take returns
  Address variable_debt_token;  // of `debt`, for the cheap re-check
  u256 min_scaled_debt;         // as in LiquidateArgs: less on chain stops the call cheaply
  Address router;               // Uniswap V3 SwapRouter
  chain::Bytes path;            // from `collateral` to `debt` (see swap_path.hpp)
  u256 amount_out_minimum;      // of `debt` for all the seized collateral: less reverts
  u256 min_profit;              // of `debt`, after the flash loan's premium: less reverts
};

[[nodiscard]] tl::expected<chain::Bytes, chain::abi::AbiError> flash_liquidate_calldata(
    const FlashLiquidateArgs& args);

// `token` zero: ETH.
[[nodiscard]] tl::expected<chain::Bytes, chain::abi::AbiError> withdraw_calldata(
    const Address& token, const u256& amount);
[[nodiscard]] tl::expected<chain::Bytes, chain::abi::AbiError> sweep_calldata(const Address& token);

}  // namespace keeper::liquidator
