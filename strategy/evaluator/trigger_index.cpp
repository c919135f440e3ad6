#include "strategy/evaluator/trigger_index.hpp"

#include <algorithm>

namespace strategy {

void TriggerIndex::remove(AccountId id) {
  if (id >= by_account_.size()) return;
  for (const Stored& s : by_account_[id]) {
    auto& set = s.on_fall ? falls_[s.asset] : rises_[s.asset];
    set.erase({s.price, id});
  }
  by_account_[id].clear();
}

void TriggerIndex::refresh(AccountId id, std::span<const Weight> weights,
                           std::span<const double> prices) {
  remove(id);
  if (id >= by_account_.size()) by_account_.resize(std::size_t{id} + 1);
  auto& stored = by_account_[id];
  for (const Weight& w : weights) {
    if (w.asset >= falls_.size()) continue;
    const bool seen = std::any_of(stored.begin(), stored.end(),
                                  [&](const Stored& s) { return s.asset == w.asset; });
    if (seen) continue;
    const TriggerResult t = liquidation_trigger(weights, w.asset, prices);
    if (!t.valid) continue;
    auto& set = t.trigger.on_fall ? falls_[w.asset] : rises_[w.asset];
    set.insert({t.trigger.price, id});
    stored.push_back({w.asset, t.trigger.on_fall, t.trigger.price});
  }
}

std::size_t TriggerIndex::trigger_count() const noexcept {
  std::size_t n = 0;
  for (const auto& s : falls_) n += s.size();
  for (const auto& s : rises_) n += s.size();
  return n;
}

}  // namespace strategy
