#pragma once
// Deploys the real Aave V3 market from @aave/core-v3's artifacts onto our anvil: provider, ACL,
// logic libraries linked into Pool and PoolConfigurator, oracle with Chainlink-shaped feeds, data
// provider, token implementations, reserves with their risk parameters, and an eMode category.
#include "keeper/devnet/deployment.hpp"
#include "keeper/devnet/dev_chain.hpp"

namespace keeper::devnet {

// Fills every contract address of `d` (d.admin must be an unlocked account with ETH).
[[nodiscard]] tl::expected<void, std::string> deploy_market(DevChain& chain, Deployment& d);

}  // namespace keeper::devnet
