#include "keeper/tx/nonce_plan.hpp"

#include <algorithm>
#include <iterator>
#include <set>

namespace keeper::tx {

NoncePlan plan_nonces(const NonceCounts& chain, const std::vector<std::uint64_t>& rebroadcast,
                      std::optional<std::uint64_t> journal_highest) {
  // Below the pending count every nonce is taken (mined, or in the node's pool).
  const std::uint64_t occupied_below = std::max(chain.latest, chain.pending);
  NoncePlan plan;
  plan.next_nonce = std::max(occupied_below, journal_highest ? *journal_highest + 1 : 0);
  const std::set<std::uint64_t> resent(rebroadcast.begin(), rebroadcast.end());
  const auto first = resent.lower_bound(occupied_below);
  const auto last = resent.lower_bound(plan.next_nonce);
  plan.gap_count =
      plan.next_nonce - occupied_below - static_cast<std::uint64_t>(std::distance(first, last));
  // Bounded by kMaxListedGaps plus the resent nonces skipped on the way.
  for (std::uint64_t n = occupied_below; n < plan.next_nonce && plan.gaps.size() < kMaxListedGaps;
       ++n)
    if (resent.count(n) == 0) plan.gaps.push_back(n);
  return plan;
}

}  // namespace keeper::tx
