#pragma once
// Starts the operator's money gauges (keeper/ops/money_gauges.hpp) for `keeper run`: what they
// read (wallet, contract, the first market's assets and Pool, the caps) and what they sample from
// the daemon in memory (WebSocket state, spend, failed heads, snapshot failures). Kept out of
// run_command.cpp so the daemon's wiring gains two lines.
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>

#include "chain/ws/ws_client.hpp"
#include "config/keeper_config.hpp"
#include "keeper/daemon/state_store.hpp"
#include "keeper/engine/block_pipeline.hpp"
#include "keeper/ops/money_gauges.hpp"
#include "keeper/tx/tx_manager.hpp"
#include "protocols/aave_v3/aave_sync.hpp"
#include "protocols/aave_v3/market_state.hpp"

namespace keeper {

struct DaemonParts {
  const config::KeeperConfig& cfg;
  chain::Address wallet;
  std::optional<chain::Address> liquidator_contract;
  const protocols::aave_v3::MarketState& state;
  const protocols::aave_v3::AaveContracts& contracts;
  const tx::TxManager* manager;  // none in a dry run
  const daemon::StateStore& store;
  const engine::BlockPipeline& pipeline;
  std::shared_ptr<chain::ws::WsClient> ws;  // the gauges follow its heads
};

[[nodiscard]] std::unique_ptr<ops::MoneyGauges> start_money_gauges(boost::asio::io_context& io,
                                                                   ops::Metrics& metrics,
                                                                   const DaemonParts& parts);

}  // namespace keeper
