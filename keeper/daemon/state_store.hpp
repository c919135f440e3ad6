#pragma once
// Where the daemon's market state comes from at start (a trusted snapshot, resumed from its block,
// or a backfill from start_block whose progress is saved as it goes) and when it is saved again.
// A snapshot is trusted only if its checksum holds, it is for this chain and market, and its
// block is still on the canonical chain.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "keeper/market/snapshot.hpp"
#include "keeper/ops/log.hpp"
#include "protocols/aave_v3/market_state.hpp"

namespace keeper::daemon {

struct StateStoreOptions {
  std::optional<std::filesystem::path> snapshot_path;  // none: always backfill, never save
  bool writable = true;  // false in --fork mode: the fork's state is not the chain's
  std::uint64_t every_blocks = 50;
  std::uint64_t chain_id = 0;
  chain::Address provider;
};

class StateStore {
 public:
  StateStore(chain::rpc::RpcClient& rpc, const ops::Log& log, StateStoreOptions options)
      : rpc_{rpc}, log_{log}, options_{std::move(options)} {}

  // Brings `state` to `head`: from the snapshot when it can be trusted, else by backfilling from
  // `start_block` (resuming a backfill the snapshot file says was in progress).
  [[nodiscard]] tl::expected<void, std::string> start(protocols::aave_v3::MarketState& state,
                                                      const chain::rpc::BlockHeader& head,
                                                      std::uint64_t start_block);
  // Saves when `every_blocks` have passed since the last save.
  void maybe_save(const protocols::aave_v3::MarketState& state);
  void save(const protocols::aave_v3::MarketState& state);
  // Snapshots that could not be written (each logged), for the operator's gauge.
  [[nodiscard]] std::uint64_t failed_saves() const noexcept { return failed_saves_; }

 private:
  void write(const protocols::aave_v3::StateSnapshot& snapshot);

  chain::rpc::RpcClient& rpc_;
  const ops::Log& log_;
  StateStoreOptions options_;
  std::uint64_t saved_block_ = 0;
  std::uint64_t failed_saves_ = 0;
};

}  // namespace keeper::daemon
