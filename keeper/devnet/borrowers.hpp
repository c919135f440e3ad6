#pragma once
// Deterministic borrowers for the devnet: from a seed, accounts with one or two collaterals, some
// in eMode, health factors spread over about [1.01, 3], and a liquidity provider that keeps
// utilisation near 80%.
#include <cstdint>

#include "keeper/devnet/deployment.hpp"
#include "keeper/devnet/dev_chain.hpp"

namespace keeper::devnet {

[[nodiscard]] tl::expected<void, std::string> populate_borrowers(DevChain& chain, Deployment& d,
                                                                 std::size_t count,
                                                                 std::uint64_t seed);

}  // namespace keeper::devnet
