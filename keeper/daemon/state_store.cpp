#include "keeper/daemon/state_store.hpp"

#include <chrono>

#include "chain/hex.hpp"

namespace keeper::daemon {

tl::expected<void, std::string> StateStore::start(protocols::aave_v3::MarketState& state,
                                                  const chain::rpc::BlockHeader& head,
                                                  std::uint64_t start_block) {
  std::set<chain::Address> known;
  std::uint64_t from = start_block;
  if (options_.snapshot_path) {
    const auto& path = *options_.snapshot_path;
    auto snap = read_snapshot(path);
    std::string distrust;
    if (!snap) {
      distrust = snap.error().message;
    } else if (snap->chain_id != options_.chain_id || snap->provider != options_.provider) {
      distrust = path.string() + ": written for another chain or market";
    } else if (snap->block > head.number) {
      distrust = path.string() + ": its block " + std::to_string(snap->block) +
                 " is above the node's head " + std::to_string(head.number);
    } else {
      auto canonical = rpc_.block(snap->block);
      if (!canonical)
        return tl::unexpected("checking the snapshot's block: " + canonical.error().to_string());
      if (canonical->hash != snap->block_hash)
        distrust = path.string() + ": block " + std::to_string(snap->block) +
                   " is no longer on the canonical chain (reorg)";
    }
    if (!distrust.empty()) {
      const bool missing = !snap && snap.error().kind == SnapshotErrorKind::missing;
      log_.event(missing ? ops::Level::info : ops::Level::warn, "snapshot",
                 {{"used", false}, {"why", distrust}},
                 distrust + ": backfilling from block " + std::to_string(start_block));
    } else if (snap->market) {
      const auto block = snap->block;
      const auto accounts = snap->accounts.size();
      state.restore(std::move(*snap));
      log_.info("snapshot", {{"used", true}, {"block", block}, {"accounts", accounts}},
                "resumed from the snapshot at block " + std::to_string(block) + " (" +
                    std::to_string(accounts) + " accounts); catching up from block " +
                    std::to_string(block + 1));
      auto caught_up = state.advance(head);
      if (!caught_up) return tl::unexpected(caught_up.error());
      saved_block_ = block;
      return {};
    } else {
      known = std::move(snap->accounts);
      from = snap->block + 1;
      log_.info("snapshot", {{"used", true}, {"block", snap->block}, {"backfill", "resumed"}},
                "resuming the backfill at block " + std::to_string(from) + " with " +
                    std::to_string(known.size()) + " accounts already found");
    }
  }
  const auto started = std::chrono::steady_clock::now();
  const std::uint64_t total = head.number >= from ? head.number - from + 1 : 0;
  auto synced = state.sync_full(
      head, std::move(known), from,
      [&](const std::set<chain::Address>& accounts, std::uint64_t block) {
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const std::uint64_t done = block - from + 1;
        log_.info(
            "backfill",
            {{"block", block}, {"done", done}, {"total", total}, {"accounts", accounts.size()}},
            "backfill: " + std::to_string(done) + "/" + std::to_string(total) + " blocks (" +
                std::to_string(
                    static_cast<std::uint64_t>(s > 0 ? static_cast<double>(done) / s : 0.0)) +
                " blocks/s), " + std::to_string(accounts.size()) + " accounts");
        if (!options_.snapshot_path || !options_.writable || block >= head.number) return;
        auto header = rpc_.block(block);
        if (!header) return;  // progress is a convenience: the backfill goes on
        write(StateSnapshot{
            options_.chain_id, options_.provider, block, header->hash, accounts, std::nullopt, {}});
      });
  if (!synced) return tl::unexpected(synced.error());
  save(state);
  return {};
}

void StateStore::maybe_save(const protocols::aave_v3::MarketState& state) {
  if (state.block() >= saved_block_ + options_.every_blocks) save(state);
}

void StateStore::save(const protocols::aave_v3::MarketState& state) {
  if (!options_.snapshot_path || !options_.writable || !state.ready()) return;
  write(state.snapshot(options_.chain_id, options_.provider));
  saved_block_ = state.block();
}

void StateStore::write(const StateSnapshot& snapshot) {
  if (auto ok = write_snapshot(snapshot, *options_.snapshot_path); !ok) {
    ++failed_saves_;
    log_.event(ops::Level::warn, "snapshot", {{"saved", false}, {"why", ok.error()}},
               "could not save the snapshot: " + ok.error());
    return;
  }
  log_.event(ops::Level::debug, "snapshot",
             {{"saved", true}, {"block", snapshot.block}, {"accounts", snapshot.accounts.size()}},
             "snapshot saved at block " + std::to_string(snapshot.block));
}

}  // namespace keeper::daemon
