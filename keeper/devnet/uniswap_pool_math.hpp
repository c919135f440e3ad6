#pragma once
// Facts about a Uniswap V3 pool that the devnet computes offline: the sqrt price that matches two
// oracle answers, the widest ticks a fee tier allows, and the address the factory gives a pool.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "chain/uint256.hpp"

namespace keeper::devnet {

using chain::Address;
using chain::u256;

// keccak256 of UniswapV3Pool's creation code in @uniswap/v3-core 1.0.1: the periphery's
// PoolAddress.POOL_INIT_CODE_HASH, with which SwapRouter and QuoterV2 find pools without a call.
inline constexpr const char* kPoolInitCodeHash =
    "0xe34f199b19b2b4f47f68442619d555527d244f78a3297ea89325f843f87b8b54";

struct PricedToken {
  u256 usd_answer;  // the feed's answer, 8 decimals
  std::uint8_t decimals = 18;
};

// floor(sqrt(price of one raw unit of token0 in raw units of token1) * 2^96), the pool's
// sqrtPriceX96 at which both tokens trade at their oracle prices. Errors on a zero answer and on
// prices outside what a pool can hold (and on more than 77 decimals).
[[nodiscard]] tl::expected<u256, std::string> oracle_sqrt_price_x96(const PricedToken& token0,
                                                                    const PricedToken& token1);

// (sqrtPriceX96 / 2^96)^2 scaled back to whole tokens: token1 per token0, for display and tests.
[[nodiscard]] double price_of_token0(const u256& sqrt_price_x96, std::uint8_t decimals0,
                                     std::uint8_t decimals1);

// The lowest and highest usable ticks of a fee tier (full range), or nullopt for an unknown tier.
[[nodiscard]] std::optional<std::pair<std::int32_t, std::int32_t>> full_range_ticks(
    std::uint32_t fee);

// CREATE2 address of the pool (token0 < token1, fee) that `factory` deploys.
[[nodiscard]] Address pool_address(const Address& factory, const Address& token0,
                                   const Address& token1, std::uint32_t fee);

}  // namespace keeper::devnet
