#pragma once
// One configured market inside `keeper run`: its protocol (Aave V3 or Morpho Blue) synced to the
// start head, its snapshot store, its DEX pools when liquidations are flash-funded, and the engine
// pipeline that follows it. Several of them share the daemon's node, wallet, transaction manager
// (one nonce, one journal), metrics endpoint and WebSocket; each speaks in the log and in
// /metrics under its own market label.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "chain/rpc/rpc_client.hpp"
#include "config/keeper_config.hpp"
#include "keeper/daemon/state_store.hpp"
#include "keeper/engine/block_pipeline.hpp"
#include "keeper/ops/log.hpp"
#include "keeper/ops/metrics.hpp"
#include "keeper/tx/tx_manager.hpp"
#include "protocols/aave_v3/aave_sync.hpp"
#include "protocols/aave_v3/market_state.hpp"
#include "strategy/liquidation_strategy.hpp"

namespace keeper {

// What every market of the daemon shares.
struct DaemonShared {
  chain::rpc::RpcClient& rpc;
  const config::KeeperConfig& cfg;
  const ops::Log& log;
  ops::Metrics& metrics;
  strategy::Strategy& strategy;
  tx::TxManager* manager;  // null in a dry run
  chain::Address wallet;
  bool dry_run = false;
  bool fork = false;  // snapshots are not written from a fork
  std::optional<chain::Address> liquidator_contract;
  strategy::Funding funding = strategy::Funding::wallet;
  const chain::rpc::BlockHeader& head;  // the block every market is synced to at start
};

// `market="<name>"`: the config's name, else protocol:contract.
[[nodiscard]] std::string market_label(const config::MarketConfig& market);

// Where the snapshot of the market with index `aave_index` among the config's Aave markets goes:
// the configured path for the first, the path with the provider's address for the others (each
// snapshot names its provider, so two markets can never resume from one file).
[[nodiscard]] std::filesystem::path snapshot_path_for(const std::filesystem::path& configured,
                                                      std::size_t aave_index,
                                                      const chain::Address& provider);

class MarketRunner {
 public:
  // Builds market `index` of the config and syncs it to the shared head (no engine yet: see
  // start_pipeline). `aave_index` counts the Aave markets before it (for its snapshot's file).
  [[nodiscard]] static tl::expected<std::unique_ptr<MarketRunner>, std::string> build(
      const DaemonShared& shared, std::size_t index, std::size_t aave_index);
  virtual ~MarketRunner() = default;
  MarketRunner(const MarketRunner&) = delete;
  MarketRunner& operator=(const MarketRunner&) = delete;

  [[nodiscard]] const std::string& label() const noexcept { return label_; }
  [[nodiscard]] std::size_t index() const noexcept { return index_; }
  [[nodiscard]] engine::BlockPipeline& pipeline() noexcept { return *pipeline_; }
  [[nodiscard]] const engine::BlockPipeline& pipeline() const noexcept { return *pipeline_; }
  [[nodiscard]] const strategy::LendingProtocol& protocol() const noexcept { return *protocol_; }

  // Snapshots (Aave markets; a Morpho book is read again from its logs at start).
  virtual void maybe_save() {}
  virtual void save() {}
  // The Aave parts the operator's money gauges read; null for other protocols.
  [[nodiscard]] virtual const protocols::aave_v3::MarketState* aave_state() const {
    return nullptr;
  }
  [[nodiscard]] virtual const protocols::aave_v3::AaveContracts* aave_contracts() const {
    return nullptr;
  }
  [[nodiscard]] virtual const daemon::StateStore* store() const { return nullptr; }

  // Per-market series in /metrics, from the pipeline's totals and the protocol's accounts.
  void publish(ops::Metrics& metrics) const;
  // The engine over the synced protocol; `pools` (shared by every market: one market's sales
  // move the prices the next one quotes) when liquidations are flash-funded.
  void start_pipeline(const DaemonShared& shared, market::PoolBook* pools);
  // The tokens whose pools flash liquidations of this market may sell through.
  [[nodiscard]] virtual std::vector<chain::Address> tokens() const = 0;

 protected:
  MarketRunner(std::string label, std::size_t index, const ops::Log& log)
      : label_{std::move(label)}, index_{index}, log_{log.with({{"market", label_}})} {}

  std::string label_;
  std::size_t index_ = 0;
  ops::Log log_;  // the daemon's log, naming this market
  strategy::LendingProtocol* protocol_ = nullptr;
  std::unique_ptr<engine::BlockPipeline> pipeline_;
};

// The Uniswap V3 pools between every two tokens of every market, read at the shared head.
[[nodiscard]] tl::expected<market::PoolBook, std::string> discover_pools(
    const DaemonShared& shared, const std::vector<std::unique_ptr<MarketRunner>>& markets);

}  // namespace keeper
