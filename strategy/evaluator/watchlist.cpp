#include "strategy/evaluator/watchlist.hpp"

#include <cmath>

#include "strategy/evaluator/account_weights.hpp"

namespace strategy {

void Watchlist::set(const aave_v3::Market& m, const aave_v3::Address& who,
                    const aave_v3::Account& a, std::uint64_t timestamp) {
  auto [it, fresh] = ids_.try_emplace(who, static_cast<AccountId>(addresses_.size()));
  if (fresh) addresses_.push_back(who);
  const AccountId id = it->second;
  const auto emode = m.emodes.find(a.emode);
  if (a.emode != 0 && emode != m.emodes.end() && !emode->second.price_source.is_zero()) {
    always_.insert(id);
  } else {
    always_.erase(id);
  }
  const auto weights = account_weights(m, a, timestamp);
  book_.set(id, weights);
  if (triggers_) triggers_->refresh(id, weights, trigger_prices_);
}

void Watchlist::refresh_all(const aave_v3::Market& m,
                            const std::map<aave_v3::Address, aave_v3::Account>& positions,
                            std::uint64_t timestamp) {
  triggers_.emplace(m.reserves.size());
  trigger_prices_ = price_vector(m, 0);
  for (const auto& [who, account] : positions) set(m, who, account, timestamp);
}

void Watchlist::refresh(const aave_v3::Market& m,
                        const std::map<aave_v3::Address, aave_v3::Account>& positions,
                        std::span<const aave_v3::Address> changed, std::uint64_t timestamp) {
  trigger_prices_ = price_vector(m, 0);
  for (const auto& who : changed)
    if (const auto it = positions.find(who); it != positions.end())
      set(m, who, it->second, timestamp);
}

std::vector<aave_v3::Address> Watchlist::crossed(std::uint16_t asset, double old_price,
                                                 double new_price) const {
  std::vector<aave_v3::Address> out;
  if (!triggers_) return out;
  triggers_->crossed(asset, old_price, new_price,
                     [&](AccountId id) { out.push_back(addresses_[id]); });
  return out;
}

Watchlist::Pass Watchlist::scan(const aave_v3::Market& m, double band) const {
  Pass pass;
  const auto prices = price_vector(m, 0);
  std::vector<double> health;
  book_.health_all(prices, health);
  for (std::size_t id = 0; id < addresses_.size() && id < health.size(); ++id) {
    const double hf = health[id];
    const bool always = always_.count(static_cast<AccountId>(id)) != 0;
    if (std::isfinite(hf)) {
      pass.health.push_back(hf);
      if (hf < band) ++pass.in_band;
    }
    if (always || hf < band) pass.candidates.push_back(addresses_[id]);
  }
  return pass;
}

}  // namespace strategy
