// TxManager after a reorganisation: a transaction it saw mined is not assumed to stay mined until
// its block is reorg_depth deep. If its receipt disappears, it goes back in flight and its signed
// bytes are sent again: the same nonce and content, so it can land once at most, and is followed
// to its new fate (mined again, replaced when stuck, or dropped).
#include "keeper/tx/tx_manager.hpp"

namespace keeper::tx {

void TxManager::follow_reorgs(std::uint64_t head_block) {
  for (auto it = landed_.begin(); it != landed_.end();) {
    if (head_block >= it->block + options_.reorg_depth) {
      it = landed_.erase(it);  // deep enough: final
      continue;
    }
    auto receipt = rpc_.receipt(it->hash);
    if (!receipt) {  // the node did not answer: ask again at the next head
      ++it;
      continue;
    }
    if (*receipt) {
      if ((*receipt)->block_hash != it->block_hash) {
        ++counters_.remined;
        it->block = (*receipt)->block_number;
        it->block_hash = (*receipt)->block_hash;
      }
      ++it;
      continue;
    }
    // Gone from the chain. Back in flight, the mined attempt first so it is what is sent again.
    ++counters_.reorged_out;
    Flight flight = it->flight;
    flight.sent_at_block = head_block;
    flight.nonce_used_at.reset();
    (void)journal_.record_outcome(it->hash, Outcome::pending, head_block);
    const auto entry = journal_.entries().find(it->hash);
    if (entry != journal_.entries().end()) (void)broadcast(entry->second.raw);
    in_flight_[it->nonce] = std::move(flight);
    it = landed_.erase(it);
  }
}

}  // namespace keeper::tx
