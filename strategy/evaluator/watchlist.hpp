#pragma once
// Which accounts deserve exact evaluation at a head. Every account lives in the RiskBook as a
// linear form in prices; one ranking pass at the head's prices finds those under the watch band,
// and only they go through exact math. Forms are rebuilt for the accounts a block touched, and
// for everyone now and then, since interest slowly moves balances the forms hold fixed.
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <unordered_map>
#include <vector>

#include "strategy/evaluator/risk_book.hpp"
#include "strategy/evaluator/trigger_index.hpp"
#include "strategy/lending_protocol.hpp"

namespace strategy {

class Watchlist {
 public:
  void refresh_all(const LendingProtocol& protocol, std::uint64_t timestamp);
  void refresh(const LendingProtocol& protocol, std::span<const chain::Address> changed,
               std::uint64_t timestamp);

  struct Pass {
    std::vector<chain::Address> candidates;  // approximate HF under the band, or unrankable
    std::vector<double> health;              // approximate HF of every account with debt
    std::size_t in_band = 0;
  };
  // One ranking pass at the protocol's prices.
  [[nodiscard]] Pass scan(const LendingProtocol& protocol, double band) const;

  // The accounts whose liquidation price of `asset` lies between the old and the new price: a
  // tick's candidates, found without visiting the other accounts. Triggers are as of the last
  // refresh of each account (other assets' moves since then make them drift: the next head's
  // exact pass covers that).
  [[nodiscard]] std::vector<chain::Address> crossed(AssetId asset, double old_price,
                                                    double new_price) const;

  [[nodiscard]] std::size_t size() const noexcept { return addresses_.size(); }
  // Every account's linear form as of its last refresh (gauges read it between heads).
  [[nodiscard]] const RiskBook& book() const noexcept { return book_; }

 private:
  void set(const chain::Address& who, const RankForm& form);

  RiskBook book_;
  std::optional<TriggerIndex> triggers_;  // sized by the protocol's asset count
  std::vector<double> trigger_prices_;    // the prices triggers are being computed at
  std::unordered_map<chain::Address, AccountId> ids_;
  std::vector<chain::Address> addresses_;  // by id
  // Accounts a single price vector cannot rank: always evaluated exactly.
  std::set<AccountId> always_;
};

}  // namespace strategy
