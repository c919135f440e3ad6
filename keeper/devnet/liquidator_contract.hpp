#pragma once
// keeper's own liquidator contract on the devnet: deployed by the admin, owned by the liquidator
// account, which approves it for every asset so that the contract can pull the debt it repays.
#include "keeper/devnet/deployment.hpp"
#include "keeper/devnet/dev_chain.hpp"

namespace keeper::devnet {

// Sets d.liquidator_contract; needs d.pool, d.assets, d.admin and d.liquidator.
[[nodiscard]] tl::expected<void, std::string> deploy_liquidator_contract(DevChain& chain,
                                                                         Deployment& d);

}  // namespace keeper::devnet
