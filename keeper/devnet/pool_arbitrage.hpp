#pragma once
// Moving the devnet's Uniswap pools to the oracle's prices, as arbitrageurs would on a real chain
// within the block: after `keeper devnet price`, each pool holding the asset is swapped until its
// price equals the ratio of the two feeds' answers.
#include <optional>
#include <string>
#include <vector>

#include "keeper/devnet/deployment.hpp"
#include "keeper/devnet/dev_chain.hpp"

namespace keeper::devnet {

struct PoolMove {
  const DeployedPool* pool = nullptr;
  chain::u256 sqrt_price_before;
  chain::u256 sqrt_price_target;  // from the feeds
  chain::u256 sqrt_price_after;
};

// Arbitrages every pool that holds `symbol` (every pool when empty) to the feeds' current prices,
// as d.admin, which mints exactly the input each swap needs; with `symbol_answer`, to that answer
// for `symbol` instead of its feed's (the price the oracle is about to publish: on a real chain
// DEX prices lead the oracle's). A deployment without Uniswap has nothing to move.
[[nodiscard]] tl::expected<std::vector<PoolMove>, std::string> align_pools_with_oracle(
    DevChain& chain, const Deployment& d, const std::string& symbol,
    const std::optional<chain::u256>& symbol_answer = std::nullopt);

}  // namespace keeper::devnet
