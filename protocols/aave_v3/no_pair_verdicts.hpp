#pragma once
// Accounts under 1 that no pair can liquidate (every pair repays 0: dust collateral against a
// debt) stay so while their collateral prices do not rise and their debt prices do not move: a
// cascade, whose prices only fall, would re-assess them in every round for nothing. Each such
// verdict is kept with the prices it was proven at and reused while those bounds hold.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "protocols/aave_v3/account_data.hpp"
#include "strategy/evaluator/risk_book.hpp"

namespace protocols::aave_v3 {

// Whether an account that assess() finds under 1 with no pair to liquidate (best_of found none,
// and it has collateral) would be found so again at any prices P' that differ from `m`'s P only
// in the reserves it uses as collateral, each priced no higher, and not in those it borrows
// (positions, flags, indexes and every other price the same). It would, when:
//  (1) account_data at P' still gives a health factor under 1. Each collateral's in_base
//      = floor(balance * price / unit) is no larger at P', its debt's are the same (same
//      balances and prices): TC' <= TC, D' = D, and with TC and D under 2^128 no product there
//      can overflow. The numerator N = percentMul(TC, avgLT), avgLT = floor(S / TC), S = sum of
//      in_base * LT, is not monotone (a falling collateral of lower threshold can raise avgLT by
//      a basis point), but S' <= S < TC * (avgLT + 1), so N' <= floor((S' + 5000) / 1e4) <=
//      Nmax = floor((TC * (avgLT + 1) + 5000) / 1e4), and wadDiv grows with its numerator:
//      HF' <= wadDiv(Nmax, D) =: HFmax, required under 1.
//  (2) The close factor does not fall: 100% (HF <= 0.95) stays 100% when HFmax <= 0.95 too, and
//      50% can only become 100%. So requested' = percentMul(total debt, CF') >= requested.
//  (3) Every pair it fails on fails at P' too. A pair refused for reasons that do not involve
//      prices (inactive or paused reserve, not collateral, not borrowed) is refused again (the
//      only check before them that reads prices is "healthy", passed by (1)). Any other pair
//      succeeded with the collateral capped and repaying 0 (uncapped, it repays requested =
//      percentMul(debt >= 1, CF >= 50%) >= 1): at P' a step either overflows (refused: fine) or
//      gives base' = floor(p_d * requested' * cunit / (p'_c * dunit)) >= base (p'_c = 0
//      divides by zero: refused), so maxCollateral' = percentMul(base', bonus) >= maxCollateral
//      > balance, capped again, and debtNeeded' = percentDiv(floor(p'_c * balance * dunit /
//      (p_d * cunit)), bonus) <= debtNeeded = 0, since floor and percentDiv only grow with their
//      argument. evaluate() drops a pair that repays 0. A pair that overflowed at P is not
//      accepted: a lower collateral price could lift the overflow.
// Debt prices must stay put, not merely not fall: a higher one could overflow account_data's
// debt value (then assess() says healthy). In a cascade only sales move prices, downwards. An
// eMode category with its own price is left out (that price is not among the cascade's).
[[nodiscard]] bool no_pair_holds(const Market& m, const Account& account, const AccountData& data,
                                 std::uint64_t timestamp);

// The verdicts proven by no_pair_holds, by AccountId. The owner forgets one when its account
// changes and all of them when the indexes change (a new timestamp) or accounts are put back.
class NoPairVerdicts {
 public:
  void resize(std::size_t accounts);
  // Whether `id`'s verdict was kept and still holds at `m`'s prices. `account` (id's) is read
  // only when its reserves did not fit the masks: checking a verdict touches neither the
  // account nor its positions, which a sweep would mostly find out of cache.
  [[nodiscard]] bool holds(strategy::AccountId id, const Market& m, const Account& account) const;
  // Keeps the verdict no_pair_holds proved for `id` (`account`) at `m`'s prices.
  void remember(strategy::AccountId id, const Market& m, const Account& account);
  void forget(strategy::AccountId id) { since_[id] = 0; }
  void forget_all();
  // 2 MiB pages for the arrays by AccountId (see strategy/cascade/huge_pages.hpp).
  void back_with_huge_pages() const;

 private:
  // The reserves an account borrows and those it holds as collateral only (bit = reserve id).
  // `known` false: a reserve id past the masks' 64 bits, checked on the account itself.
  struct Uses {
    std::uint64_t borrowed = 0;
    std::uint64_t collateral = 0;
    bool known = false;
  };
  std::vector<std::uint32_t> since_;  // by AccountId: 1 + the snapshot its verdict was proven at
  std::vector<Uses> uses_;            // by AccountId, with a verdict kept
  std::vector<chain::u256> prices_;   // every reserve's price, snapshot by snapshot
  std::vector<strategy::AccountId> ids_;  // the accounts with a verdict kept
};

}  // namespace protocols::aave_v3
