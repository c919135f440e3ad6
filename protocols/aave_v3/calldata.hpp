#pragma once
// Pool.liquidationCall calldata, encoded straight into its 164 bytes: the hot path does not parse
// an ABI signature per liquidation (the generic encoder gives the same bytes; a test holds them
// equal).
#include <optional>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "chain/bytes.hpp"
#include "chain/uint256.hpp"

namespace protocols::aave_v3 {

// liquidationCall(address collateralAsset, address debtAsset, address user, uint256 debtToCover,
// bool receiveAToken)
[[nodiscard]] chain::Bytes liquidation_call_data(const chain::Address& collateral,
                                                 const chain::Address& debt,
                                                 const chain::Address& user,
                                                 const chain::u256& debt_to_cover,
                                                 bool receive_a_token);

// The user a liquidationCall's calldata liquidates: nullopt for calldata of another function,
// an error when it is liquidationCall but does not decode (it would revert on chain).
enum class CalldataError { malformed };
[[nodiscard]] tl::expected<std::optional<chain::Address>, CalldataError> liquidation_call_target(
    chain::BytesView input);

}  // namespace protocols::aave_v3
