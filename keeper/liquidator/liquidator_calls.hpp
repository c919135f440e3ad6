#pragma once
// Call data for keeper's own liquidator contract (contracts/KeeperLiquidator.sol).
#include <string_view>

#include <tl/expected.hpp>

#include "chain/abi/signature.hpp"
#include "protocols/aave_v3/liquidator_call.hpp"

namespace keeper::liquidator {

using chain::Address;
using chain::u256;

inline constexpr std::string_view kWithdrawSignature = "withdraw(address,uint256)";
inline constexpr std::string_view kSweepSignature = "sweep(address)";

// The Aave V3 liquidation entries of the contract (their encoding is the protocol's).
using protocols::aave_v3::flash_liquidate_calldata;
using protocols::aave_v3::FlashLiquidateArgs;
using protocols::aave_v3::kLiquidateSignature;
using protocols::aave_v3::kLiquidateWithFlashLoanSignature;
using protocols::aave_v3::liquidate_calldata;
using protocols::aave_v3::LiquidateArgs;

// `token` zero: ETH.
[[nodiscard]] tl::expected<chain::Bytes, chain::abi::AbiError> withdraw_calldata(
    const Address& token, const u256& amount);
[[nodiscard]] tl::expected<chain::Bytes, chain::abi::AbiError> sweep_calldata(const Address& token);

}  // namespace keeper::liquidator
