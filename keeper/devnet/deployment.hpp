#pragma once
// What `keeper devnet up` deployed, as written to DIR/deployment.json and read back by the other
// devnet commands and by tests.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "chain/uint256.hpp"

namespace keeper::devnet {

using chain::Address;

struct AssetSpec {
  std::string symbol;
  std::uint8_t decimals = 18;
  std::int64_t price = 0;  // feed answer, 8 decimals (USD)
  std::uint16_t ltv = 0;
  std::uint16_t liquidation_threshold = 0;
  std::uint16_t liquidation_bonus = 0;
  std::uint8_t emode = 0;
};

struct DeployedAsset {
  AssetSpec spec;
  Address token;
  Address a_token;
  Address stable_debt_token;
  Address variable_debt_token;
  Address aggregator;  // emits AnswerUpdated; FeedAggregator storage slot 1 holds the answer
  Address feed;        // the proxy the AaveOracle reads
};

// Token units worth `usd` whole dollars at the asset's deployed 8-decimal price.
[[nodiscard]] chain::u256 units_for(const DeployedAsset& a, std::uint64_t usd);

struct EModeSpec {
  std::uint8_t id = 0;
  std::uint16_t ltv = 0;
  std::uint16_t liquidation_threshold = 0;
  std::uint16_t liquidation_bonus = 0;
  std::string label;
};

struct Borrower {
  Address address;
  std::vector<std::string> collateral;  // symbols
  std::string debt;
  bool emode = false;
  double target_health = 0;
};

// A Uniswap V3 pool of the devnet, created at the oracle's price with full-range liquidity.
struct DeployedPool {
  std::string token0;     // symbol of the lower token address (Uniswap orders a pair by address)
  std::string token1;     // symbol of the higher one
  std::uint32_t fee = 0;  // in hundredths of a basis point: 3000 is 0.3%
  Address address;
};

// Uniswap V3 core and periphery as published on npm (v3-core 1.0.1, v3-periphery 1.4.4).
struct UniswapDeployment {
  Address factory;
  Address router;  // SwapRouter
  Address position_manager;
  Address quoter;  // QuoterV2
  std::vector<DeployedPool> pools;

  [[nodiscard]] const DeployedPool* pool(const std::string& a, const std::string& b) const;
};

// One Morpho Blue market of the devnet: loan and collateral by symbol, its MarketParams and Id.
struct MorphoMarketDeployment {
  std::string loan;        // symbol
  std::string collateral;  // symbol
  Address oracle;          // MorphoDevOracle over the two assets' feeds
  chain::u256 lltv;        // WAD
  std::string id;          // 0x-prefixed market Id
};

struct MorphoBorrower {
  Address address;
  std::string market;     // the market's id
  double target_ltv = 0;  // borrowed / collateral value when opened
};

// Morpho Blue 1.0.0 beside the Aave market, its markets priced by the same feeds.
struct MorphoDeployment {
  Address morpho;
  Address irm;  // MorphoDevIrm, enabled
  std::uint64_t deployed_at_block = 0;
  std::vector<MorphoMarketDeployment> markets;
  std::vector<MorphoBorrower> borrowers;
  [[nodiscard]] const MorphoMarketDeployment* market(const std::string& id) const;
};

struct Deployment {
  std::uint64_t chain_id = 31337;
  std::string http_url;
  std::string ws_url;
  std::int64_t anvil_pid = 0;
  std::uint16_t port = 0;
  std::uint64_t seed = 0;
  std::uint64_t deployed_at_block = 0;
  // Seconds between blocks once deployed (`devnet up --block-time`); none: a block per transaction.
  std::optional<std::uint64_t> block_time;
  Address admin;
  Address addresses_provider;
  Address pool;
  Address pool_configurator;
  Address oracle;
  Address data_provider;
  Address acl_manager;
  std::vector<DeployedAsset> assets;
  std::vector<EModeSpec> emodes;
  Address liquidity_provider;
  Address liquidator;  // anvil account 1: its key is anvil's published dev key, for the env var
  // KeeperLiquidator owned by `liquidator`, which has approved it for every asset.
  Address liquidator_contract;
  std::vector<Borrower> borrowers;
  std::optional<UniswapDeployment> uniswap;  // absent in deployments from before the DEX
  std::optional<MorphoDeployment> morpho;    // absent in deployments from before Morpho

  [[nodiscard]] const DeployedAsset* asset(const std::string& symbol) const;
};

[[nodiscard]] tl::expected<void, std::string> write_deployment(const Deployment& d,
                                                               const std::filesystem::path& path);
[[nodiscard]] tl::expected<Deployment, std::string> read_deployment(
    const std::filesystem::path& path);

// The market keeper devnet deploys: WETH, USDC, WBTC, DAI and a stablecoin eMode category.
[[nodiscard]] std::vector<AssetSpec> default_assets();
[[nodiscard]] std::vector<EModeSpec> default_emodes();

}  // namespace keeper::devnet
