#pragma once
// Morpho's liquidate(marketParams, borrower, seizedAssets, repaidShares, data), encoded and
// decoded (a pending transaction's target).
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "chain/bytes.hpp"
#include "protocols/morpho_blue/market_params.hpp"

namespace protocols::morpho_blue {

inline constexpr const char* kLiquidateSignature =
    "liquidate((address,address,address,address,uint256),address,uint256,uint256,bytes)";

[[nodiscard]] chain::Bytes liquidate_calldata(const MarketParams& params, const Address& borrower,
                                              const u256& seized_assets, const u256& repaid_shares,
                                              const chain::Bytes& data = {});

struct LiquidateCall {
  MarketParams params;
  Address borrower;
  u256 seized_assets;
  u256 repaid_shares;
};
// nullopt: not a call of liquidate; an error: its selector with arguments that do not decode.
[[nodiscard]] tl::expected<std::optional<LiquidateCall>, std::string> decode_liquidate_call(
    chain::BytesView input);

}  // namespace protocols::morpho_blue
