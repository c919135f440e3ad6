#include "keeper/engine/competition.hpp"

#include <algorithm>

namespace keeper::engine {

Competition::Competition(TargetOf target_of, std::set<chain::Address> ours)
    : target_of_{std::move(target_of)}, ours_{std::move(ours)} {}

std::optional<CompetitorSighting> Competition::observe(const chain::rpc::PendingTransaction& tx,
                                                       const chain::u256& base_fee,
                                                       std::uint64_t block) {
  if (ours_.count(tx.from) != 0) return std::nullopt;
  const auto target = target_of_(tx);
  if (!target) {
    ++malformed_;  // it would revert on chain too: no competition
    return std::nullopt;
  }
  if (!*target) return std::nullopt;
  const chain::Address account = **target;
  const CompetitorSighting sighting{
      account, tx.from, tx.hash, chain::rpc::effective_tip(tx, base_fee),
      tx.max_fee_per_gas.value_or(tx.gas_price.value_or(chain::u256{0}))};
  auto& tip = tips_[sighting.account];
  tip = std::max(tip, sighting.tip);
  auto& max_fee = max_fees_[sighting.account];
  max_fee = std::max(max_fee, sighting.max_fee);
  seen_at_[sighting.account] = block;
  return sighting;
}

void Competition::expire(std::uint64_t block, std::uint64_t keep_blocks) {
  for (auto it = seen_at_.begin(); it != seen_at_.end();) {
    if (it->second + keep_blocks < block) {
      tips_.erase(it->first);
      max_fees_.erase(it->first);
      it = seen_at_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace keeper::engine
