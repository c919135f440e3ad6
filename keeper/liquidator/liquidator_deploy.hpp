#pragma once
// Deploying KeeperLiquidator from its compiled artifact (contracts/build/KeeperLiquidator.json),
// with the artifact loading the devnet uses for every other contract.
#include <string>

#include <tl/expected.hpp>

#include "keeper/devnet/dev_chain.hpp"

namespace keeper::liquidator {

using chain::Address;

inline constexpr const char* kArtifactName = "KeeperLiquidator";

// Creation code and constructor(pool, owner): what a contract-creation transaction carries.
[[nodiscard]] tl::expected<chain::Bytes, std::string> creation_code(const Address& pool,
                                                                    const Address& owner);

// Deploys from an account the node holds unlocked (the devnet's): returns the contract address.
[[nodiscard]] tl::expected<Address, std::string> deploy_unlocked(devnet::DevChain& chain,
                                                                 const Address& from,
                                                                 const Address& pool,
                                                                 const Address& owner);

}  // namespace keeper::liquidator
