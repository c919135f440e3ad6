#include "strategy/evaluator/risk_book.hpp"

#include <algorithm>

namespace strategy {

void RiskBook::set(AccountId id, std::span<const Weight> weights) {
  if (id >= slots_.size()) slots_.resize(std::size_t{id} + 1);
  Slot& slot = slots_[id];
  live_positions_ -= slot.count;
  const auto count = static_cast<std::uint16_t>(std::min<std::size_t>(weights.size(), UINT16_MAX));
  if (count > slot.capacity) {
    wasted_ += slot.capacity;
    slot.offset = static_cast<std::uint32_t>(pool_.size());
    slot.capacity = count;
    pool_.resize(pool_.size() + count);
  }
  std::copy_n(weights.begin(), count, pool_.begin() + slot.offset);
  slot.count = count;
  live_positions_ += count;
  if (wasted_ > 1024 && wasted_ * 2 > pool_.size()) compact();
}

void RiskBook::clear(AccountId id) {
  if (id >= slots_.size()) return;
  live_positions_ -= slots_[id].count;
  slots_[id].count = 0;
}

std::span<const Weight> RiskBook::weights(AccountId id) const noexcept {
  if (id >= slots_.size()) return {};
  const Slot& s = slots_[id];
  return {pool_.data() + s.offset, s.count};
}

double RiskBook::health(AccountId id, std::span<const double> prices) const noexcept {
  double collateral = 0.0;
  double debt = 0.0;
  for (const Weight& w : weights(id)) {
    const double v = w.amount * prices[w.asset];
    (w.is_debt ? debt : collateral) += v;
  }
  return debt > 0.0 ? collateral / debt : kNoDebtHealth;
}

void RiskBook::health_all(std::span<const double> prices, std::vector<double>& out) const {
  out.resize(slots_.size());
  const Weight* pool = pool_.data();
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const Slot s = slots_[i];
    double collateral = 0.0;
    double debt = 0.0;
    for (std::uint32_t k = 0; k < s.count; ++k) {
      const Weight& w = pool[s.offset + k];
      const double v = w.amount * prices[w.asset];
      collateral += w.is_debt ? 0.0 : v;
      debt += w.is_debt ? v : 0.0;
    }
    out[i] = debt > 0.0 ? collateral / debt : kNoDebtHealth;
  }
}

std::size_t RiskBook::memory_bytes() const noexcept {
  return slots_.capacity() * sizeof(Slot) + pool_.capacity() * sizeof(Weight);
}

void RiskBook::compact() {
  std::vector<Weight> packed;
  packed.reserve(live_positions_);
  for (Slot& s : slots_) {
    const auto first = pool_.begin() + s.offset;
    s.offset = static_cast<std::uint32_t>(packed.size());
    packed.insert(packed.end(), first, first + s.count);
    s.capacity = s.count;
  }
  pool_ = std::move(packed);
  wasted_ = 0;
}

TriggerResult liquidation_trigger(std::span<const Weight> weights, AssetId asset,
                                  std::span<const double> prices) noexcept {
  // Health crosses 1 where k·p + rest = 0, with k the asset's net (threshold-weighted) amount.
  double k = 0.0;
  double rest = 0.0;
  for (const Weight& w : weights) {
    const double sign = w.is_debt ? -1.0 : 1.0;
    if (w.asset == asset) {
      k += sign * w.amount;
    } else {
      rest += sign * w.amount * prices[w.asset];
    }
  }
  if (k == 0.0) return {};
  const double price = -rest / k;
  if (!(price > 0.0)) return {};
  return {true, Trigger{price, k > 0.0}};
}

}  // namespace strategy
