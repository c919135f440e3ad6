#pragma once
// Per asset, every account's liquidation price of that asset, ordered, so a price tick visits
// only the accounts whose trigger lies between the old and the new price: O(log n + crossed).
//
// A trigger is computed with the other assets' prices of its time. When another asset of the
// account moves, the trigger drifts; refresh() recomputes an account, and the keeper refreshes
// the holders of moved assets once per block, off the tick path (exact math decides anyway).
#include <set>
#include <utility>
#include <vector>

#include "strategy/evaluator/risk_book.hpp"

namespace strategy {

class TriggerIndex {
 public:
  explicit TriggerIndex(std::size_t asset_count) : falls_(asset_count), rises_(asset_count) {}

  // Recomputes every trigger of the account from its weights at `prices`.
  void refresh(AccountId id, std::span<const Weight> weights, std::span<const double> prices);
  void remove(AccountId id);

  // Calls visit(id) for each account whose trigger on `asset` is crossed by moving its price
  // from `old_price` to `new_price`: falling prices cross collateral triggers in
  // (new, old], rising prices cross debt triggers in [old, new).
  template <class Visit>
  void crossed(AssetId asset, double old_price, double new_price, Visit&& visit) const {
    if (asset >= falls_.size()) return;
    if (new_price < old_price) {
      const auto& set = falls_[asset];
      auto it = set.upper_bound({new_price, kMaxId});
      const auto end = set.upper_bound({old_price, kMaxId});
      for (; it != end; ++it) visit(it->second);
    } else if (new_price > old_price) {
      const auto& set = rises_[asset];
      auto it = set.lower_bound({old_price, 0});
      const auto end = set.lower_bound({new_price, 0});
      for (; it != end; ++it) visit(it->second);
    }
  }

  [[nodiscard]] std::size_t trigger_count() const noexcept;

 private:
  static constexpr AccountId kMaxId = ~AccountId{0};
  struct Stored {
    AssetId asset;
    bool on_fall;
    double price;
  };
  using Ordered = std::set<std::pair<double, AccountId>>;

  std::vector<Ordered> falls_;
  std::vector<Ordered> rises_;
  std::vector<std::vector<Stored>> by_account_;
};

}  // namespace strategy
