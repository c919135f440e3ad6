#include "strategy/evaluator/watchlist.hpp"

#include <cmath>

namespace strategy {

void Watchlist::set(const chain::Address& who, const RankForm& form) {
  auto [it, fresh] = ids_.try_emplace(who, static_cast<AccountId>(addresses_.size()));
  if (fresh) addresses_.push_back(who);
  const AccountId id = it->second;
  if (form.always_exact) {
    always_.insert(id);
  } else {
    always_.erase(id);
  }
  book_.set(id, form.weights);
  if (triggers_) triggers_->refresh(id, form.weights, trigger_prices_);
}

void Watchlist::refresh_all(const LendingProtocol& protocol, std::uint64_t timestamp) {
  triggers_.emplace(protocol.asset_count());
  trigger_prices_ = protocol.rank_prices();
  protocol.for_each_account(
      [&](const chain::Address& who) { set(who, protocol.rank_form(who, timestamp)); });
}

void Watchlist::refresh(const LendingProtocol& protocol, std::span<const chain::Address> changed,
                        std::uint64_t timestamp) {
  trigger_prices_ = protocol.rank_prices();
  for (const auto& who : changed) set(who, protocol.rank_form(who, timestamp));
}

std::vector<chain::Address> Watchlist::crossed(AssetId asset, double old_price,
                                               double new_price) const {
  std::vector<chain::Address> out;
  if (!triggers_) return out;
  triggers_->crossed(asset, old_price, new_price,
                     [&](AccountId id) { out.push_back(addresses_[id]); });
  return out;
}

Watchlist::Pass Watchlist::scan(const LendingProtocol& protocol, double band) const {
  Pass pass;
  const auto prices = protocol.rank_prices();
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
