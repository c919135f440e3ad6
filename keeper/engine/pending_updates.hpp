#pragma once
// Oracle updates waiting in the mempool, as the backrun path needs them: each acted on once, a
// replacement (same sender and nonce, another hash) noticed, and the fees a liquidation must
// carry to be ordered right behind the update in the same block.
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "chain/address.hpp"
#include "chain/bytes.hpp"
#include "chain/rpc/types.hpp"
#include "chain/uint256.hpp"

namespace keeper::engine {

// What a liquidation backrunning `update` is sent with. Builders (geth, reth, anvil `--order
// fees`) order a block by effective tip, so a tip just under the update's lands right after it;
// the same max fee keeps that order whatever the base fee does. `tip` is zero when the update
// pays none: then nothing can be ordered after it by tip, and arrival order decides.
struct BackrunFees {
  chain::u256 max_fee_per_gas;
  chain::u256 tip;
};

// nullopt when the update cannot pay `next_base_fee` (it will not be in the next block).
[[nodiscard]] std::optional<BackrunFees> backrun_fees(const chain::rpc::PendingTransaction& update,
                                                      const chain::u256& next_base_fee);

// The liquidation's own fees for a backrun: the update's fees, never above what the bid allows
// (`affordable_tip`) or keeper's fee cap; a lower tip still lands after the update.
[[nodiscard]] BackrunFees clamp_backrun_fees(const BackrunFees& wanted,
                                             const chain::u256& affordable_tip,
                                             const chain::u256& max_fee_cap);

// The update a liquidation depends on: what its log lines and bundles name.
struct Backrun {
  chain::Hash update{};
  chain::Address aggregator;
  BackrunFees fees;
  chain::Bytes raw_update;  // the update's signed bytes, when they could be rebuilt (bundles)
  // Seen as an order-flow auction's hint (no transaction to order behind in public): the
  // liquidations go only to the auction, as mev_sendBundle backruns naming `update`.
  bool via_auction = false;
};

class PendingUpdates {
 public:
  struct Seen {
    bool fresh = false;                   // not acted on yet
    std::optional<chain::Hash> replaced;  // the earlier update at the same sender and nonce
  };
  // Records `tx` (an update seen while the state is at `block`).
  Seen observe(const chain::rpc::PendingTransaction& tx, std::uint64_t block);
  // Forgets updates seen `keep_blocks` or more before `block`: mined, dropped or replaced by now.
  void expire(std::uint64_t block, std::uint64_t keep_blocks = 4);
  [[nodiscard]] std::size_t size() const noexcept { return by_sender_.size(); }

 private:
  struct Entry {
    chain::Hash hash{};
    std::uint64_t seen_at = 0;
  };
  std::map<std::pair<chain::Address, std::uint64_t>, Entry> by_sender_;  // (from, nonce)
};

}  // namespace keeper::engine
