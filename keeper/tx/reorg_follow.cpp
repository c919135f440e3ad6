// TxManager after a reorganisation: a transaction it saw mined is not assumed to stay mined until
// its block is reorg_depth deep. If its receipt disappears, it goes back in flight and its signed
// bytes are sent again: the same nonce and content, so it can land once at most, and is followed
// to its new fate (mined again, replaced when stuck, or dropped).
#include <algorithm>
#include <map>
#include <set>

#include "chain/rpc/json_codec.hpp"
#include "keeper/tx/tx_manager.hpp"

namespace keeper::tx {
namespace {

// The canonical hash at each of `numbers`, in one batch request; a number the chain no longer
// reaches (it got shorter) maps to nullopt. Empty when the node did not answer the batch.
std::optional<std::map<std::uint64_t, std::optional<chain::Hash>>> canonical_hashes(
    chain::rpc::RpcClient& rpc, const std::set<std::uint64_t>& numbers) {
  std::vector<chain::rpc::Call> calls;
  calls.reserve(numbers.size());
  for (const auto n : numbers)
    calls.push_back(
        {"eth_getBlockByNumber",
         chain::rpc::Json::array({chain::rpc::to_json(chain::rpc::BlockTag{n}), false})});
  auto answers = rpc.batch(calls);
  if (!answers) return std::nullopt;
  std::map<std::uint64_t, std::optional<chain::Hash>> out;
  auto n = numbers.begin();
  for (const auto& answer : *answers) {
    const auto number = *n++;
    if (!answer) return std::nullopt;  // asked again at the next head
    if (answer->is_null()) {
      out.emplace(number, std::nullopt);
      continue;
    }
    auto header = chain::rpc::block_header_from_json(*answer);
    if (!header || header->number != number) return std::nullopt;  // a node that lies: ask again
    out.emplace(number, header->hash);
  }
  return out;
}

}  // namespace

std::optional<std::uint64_t> TxManager::landed_in(std::uint64_t nonce) const {
  const auto it = std::find_if(landed_.begin(), landed_.end(),
                               [nonce](const Landed& l) { return l.nonce == nonce; });
  if (it == landed_.end()) return std::nullopt;
  return it->block;
}

void TxManager::follow_reorgs(std::uint64_t head_block) {
  // Deep enough: final.
  for (auto it = landed_.begin(); it != landed_.end();) {
    if (head_block < it->block + options_.reorg_depth) {
      ++it;
      continue;
    }
    final_intents_.insert(it->flight.intent.key);
    it = landed_.erase(it);
  }
  if (landed_.empty()) return;
  // One request for the blocks they landed in: a transaction is looked up by its receipt only
  // when its block is no longer the canonical one. (A receipt per transaction per head, up to
  // reorg_depth heads, was hundreds of sequential requests after a crash's liquidations: a head
  // took seconds, long enough to miss the next ones and to outlast a stop's grace period.)
  std::set<std::uint64_t> blocks;
  for (const auto& l : landed_) blocks.insert(l.block);
  const auto canonical = canonical_hashes(rpc_, blocks);
  if (!canonical) return;  // the node did not answer: ask again at the next head

  for (auto it = landed_.begin(); it != landed_.end();) {
    if (const auto at = canonical->find(it->block);
        at != canonical->end() && at->second && *at->second == it->block_hash) {
      ++it;  // its block is still the chain's
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
    // Sent again only while its intent holds on the new chain: the same bytes on a state where
    // the account is no longer liquidatable would revert. Otherwise it is cancelled once stuck
    // (on_block), like any transaction whose reason to send is gone.
    if (still_holds(flight.intent))
      (void)resend(it->hash);  // refused or lost: replaced, or sent again, once stuck
    in_flight_[it->nonce] = std::move(flight);
    it = landed_.erase(it);
  }
}

}  // namespace keeper::tx
