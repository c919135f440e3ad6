#pragma once
// Morpho Blue 1.0.0 beside the devnet's Aave V3 market: the contract, keeper's devnet IRM and
// Chainlink-style oracles over the same feeds the AaveOracle reads, markets WETH/USDC and
// WBTC/USDC at 86% LLTV with USDC liquidity, and borrowers at a spread of LTVs (the highest
// close enough to 86% that a WETH -25% crash makes some liquidatable).
#include <filesystem>

#include "keeper/devnet/deployment.hpp"
#include "keeper/devnet/dev_chain.hpp"

namespace keeper::devnet {

// Needs the assets and the liquidity provider of `d` (deploy_market, populate_borrowers); fills
// d.morpho. `compile_log` receives the Morpho compile script's output.
[[nodiscard]] tl::expected<void, std::string> deploy_morpho(
    DevChain& chain, Deployment& d, std::uint64_t seed, const std::filesystem::path& compile_log);

// The LTVs (borrowed / collateral value at the oracle) the devnet opens in each Morpho market.
[[nodiscard]] std::vector<double> morpho_target_ltvs();

}  // namespace keeper::devnet
