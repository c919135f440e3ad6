#pragma once
// Uniswap V3 as a cascade's exchange: each asset is sold into one pool (its deepest, by the value
// of in-range liquidity at the oracle's prices), quoted exactly from the pool's state and ticks;
// the state carries from sale to sale and round to round, and the oracle follows the pool.
// Arbitrageurs first bring each pool to the oracle's prices (as after a shock), by the same swap
// math. Assets without a pool go to a fallback exchange (a depth curve), when one is given.
#include <optional>
#include <vector>

#include "chain/rpc/rpc_client.hpp"
#include "dex/uniswap_v3/pool_state.hpp"
#include "strategy/cascade/exchange.hpp"
#include "strategy/cascade/ledger.hpp"

namespace cascade {

using strategy::AssetId;
using strategy::cascade::AssetInfo;

struct Venue {
  dex::uniswap_v3::PoolState pool;
  AssetId asset = 0;    // what is sold into it
  AssetId counter = 0;  // what the sale buys
  bool asset_is_token0 = false;
};

class UniswapV3Exchange final : public strategy::cascade::Exchange {
 public:
  UniswapV3Exchange(std::vector<AssetInfo> assets, std::vector<std::optional<Venue>> venues,
                    std::unique_ptr<strategy::cascade::Exchange> fallback);

  [[nodiscard]] std::unique_ptr<strategy::cascade::Exchange> clone() const override;
  [[nodiscard]] tl::expected<void, std::string> follow(
      std::span<const chain::u256> prices) override;
  [[nodiscard]] tl::expected<strategy::cascade::SaleOutcome, std::string> sell(
      AssetId asset, const chain::u256& amount, std::span<const chain::u256> prices) override;

  // By AssetId; nullopt where the asset has no pool.
  [[nodiscard]] const std::vector<std::optional<Venue>>& venues() const noexcept { return venues_; }

 private:
  std::vector<AssetInfo> assets_;
  std::vector<std::optional<Venue>> venues_;
  std::unique_ptr<strategy::cascade::Exchange> fallback_;
};

// floor(sqrt(price of one raw unit of token0 in raw units of token1) × 2^96) for two oracle prices
// (base units per whole token) and decimals; nullopt for a zero price.
[[nodiscard]] std::optional<chain::u256> oracle_sqrt_price_x96(const chain::u256& price0,
                                                               std::uint8_t decimals0,
                                                               const chain::u256& price1,
                                                               std::uint8_t decimals1);

// One venue per asset among the pools `pools` (loaded states), by depth at `prices`.
[[nodiscard]] std::vector<std::optional<Venue>> choose_venues(
    const std::vector<AssetInfo>& assets, std::span<const chain::u256> prices,
    const std::vector<dex::uniswap_v3::PoolState>& pools);

// Every pool the factory has between two of `assets` (the four standard fee tiers), read at
// `block` with enough tick bitmap words for moves of several times the price.
[[nodiscard]] tl::expected<std::vector<dex::uniswap_v3::PoolState>, std::string> load_pools(
    chain::rpc::RpcClient& rpc, const chain::Address& factory, const std::vector<AssetInfo>& assets,
    std::uint64_t block);

// "WETH/USDC 0.05%".
[[nodiscard]] std::string venue_label(const Venue& v, const std::vector<AssetInfo>& assets);

}  // namespace cascade
