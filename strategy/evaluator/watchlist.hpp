#pragma once
// Which accounts deserve exact evaluation at a head. Every account lives in the RiskBook as a
// linear form in prices; one ranking pass at the head's prices finds those under the watch band,
// and only they go through uint256 math. Forms are rebuilt for the accounts a block touched, and
// for everyone now and then, since interest slowly moves balances the forms hold fixed.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <unordered_map>
#include <vector>

#include "strategy/aave_v3/market.hpp"
#include "strategy/evaluator/risk_book.hpp"
#include "strategy/evaluator/trigger_index.hpp"

namespace strategy {

class Watchlist {
 public:
  void refresh_all(const aave_v3::Market& market,
                   const std::map<aave_v3::Address, aave_v3::Account>& positions,
                   std::uint64_t timestamp);
  void refresh(const aave_v3::Market& market,
               const std::map<aave_v3::Address, aave_v3::Account>& positions,
               std::span<const aave_v3::Address> changed, std::uint64_t timestamp);

  struct Pass {
    std::vector<aave_v3::Address> candidates;  // approximate HF under the band, or unpriceable
    std::vector<double> health;                // approximate HF of every account with debt
    std::size_t in_band = 0;
  };
  // One ranking pass at `market`'s prices.
  [[nodiscard]] Pass scan(const aave_v3::Market& market, double band) const;

  // The accounts whose liquidation price of `asset` lies between the old and the new price: a
  // tick's candidates, found without visiting the other accounts. Triggers are as of the last
  // refresh of each account (other assets' moves since then make them drift: the next head's
  // exact pass covers that).
  [[nodiscard]] std::vector<aave_v3::Address> crossed(std::uint16_t asset, double old_price,
                                                      double new_price) const;

  [[nodiscard]] std::size_t size() const noexcept { return addresses_.size(); }

 private:
  void set(const aave_v3::Market& market, const aave_v3::Address& who,
           const aave_v3::Account& account, std::uint64_t timestamp);

  RiskBook book_;
  std::optional<TriggerIndex> triggers_;  // sized by the market's reserve count
  std::vector<double> trigger_prices_;    // the prices triggers are being computed at
  std::unordered_map<aave_v3::Address, AccountId> ids_;
  std::vector<aave_v3::Address> addresses_;  // by id
  // eMode categories with their own price source: a single price vector cannot rank these
  // accounts, so they are always evaluated exactly.
  std::set<AccountId> always_;
};

}  // namespace strategy
