#pragma once
// Uniswap V3 on the devnet, from the published npm artifacts: factory, SwapRouter,
// NonfungiblePositionManager and QuoterV2, and a pool per traded pair opened at the oracle's prices
// with full-range liquidity, so that collateral seized in a liquidation can be sold for the debt.
#include <cstdint>
#include <string>
#include <vector>

#include "keeper/devnet/deployment.hpp"
#include "keeper/devnet/dev_chain.hpp"

namespace keeper::devnet {

struct PoolSpec {
  std::string token_a;  // symbols; the pool orders them by address
  std::string token_b;
  std::uint32_t fee = 3000;
};

// Each volatile asset against USDC, the stablecoins against each other, and the direct pairs the
// devnet's borrowers hold (WETH collateral with DAI debt, WBTC collateral with WETH debt).
[[nodiscard]] std::vector<PoolSpec> default_pool_specs();

// Deploys the contracts and pools and sets d.uniswap. Each pool holds liquidity worth
// `depth_usd` at the oracle's prices (half in each token), provided by d.admin, which keeps the
// positions. Needs d.assets and d.admin.
[[nodiscard]] tl::expected<void, std::string> deploy_uniswap(DevChain& chain, Deployment& d,
                                                             const std::vector<PoolSpec>& pools,
                                                             std::uint64_t depth_usd);

}  // namespace keeper::devnet
