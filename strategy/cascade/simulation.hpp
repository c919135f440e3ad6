#pragma once
// The liquidation cascade after a price shock, round by round: the accounts the shock puts under
// a health factor of 1 (exact, through the protocol's own evaluation), what each liquidation
// repays and seizes (exact), the seized collateral sold into the exchange, the oracle following
// the exchange's price, and the next round at the new prices, until nothing more falls.
//
// Each round liquidates every account under 1 once, with the protocol's best (collateral, debt)
// pair at its largest size, as competing liquidators would within a block or two. Accounts are
// found through the ledger's health bounds (one dot product per account at each round's prices,
// precomputed coefficients): only those the bound cannot prove healthy are evaluated exactly, so
// a round costs one pass over the accounts plus exact work proportional to the accounts at risk,
// and the result is the one every account's exact evaluation gives, to the wei.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "strategy/cascade/dense_bounds.hpp"
#include "strategy/cascade/exchange.hpp"
#include "strategy/cascade/ledger.hpp"
#include "strategy/cascade/shock.hpp"
#include "strategy/evaluator/risk_book.hpp"  // AccountId, AssetId

namespace strategy::cascade {

struct Liquidation {
  chain::Address account;
  AccountId id = 0;           // the ledger's
  chain::u256 health_factor;  // at the round's prices, before its liquidation
  Assessment::Verdict verdict = Assessment::Verdict::healthy;
  chain::Address collateral_asset;  // zero unless liquidated
  chain::Address debt_asset;
  chain::u256 debt_to_cover;
  chain::u256 debt_repaid;        // exact, in the debt asset's units
  chain::u256 collateral_seized;  // exact, in the collateral's units, to the liquidator
  chain::u256 bonus_base;         // seized value less repaid value at the round's prices
};

struct Round {
  std::vector<chain::u256> prices;       // the oracle during the round, by AssetId
  std::vector<Liquidation> accounts;     // every account under 1 at those prices, lowest first
                                         // (empty when the run does not list accounts)
  std::size_t under_one = 0;             // accounts under 1 at those prices, listed or not
  std::size_t liquidated = 0;            // of which liquidated (the others: no collateral, ...)
  std::size_t evaluated = 0;             // accounts evaluated exactly to find them
  std::vector<chain::u256> debt_repaid;  // by AssetId
  std::vector<chain::u256> collateral_seized;  // by AssetId
  chain::u256 debt_repaid_base;
  chain::u256 collateral_seized_base;
  chain::u256 bonus_base;
  std::vector<SaleOutcome> sales;         // one per collateral asset seized
  std::vector<chain::u256> prices_after;  // the oracle once it followed the sales
  std::size_t bad_debt_accounts = 0;      // debt and no collateral, after the round
  chain::u256 bad_debt_base;              // their debt, at the prices of the round that left it
};

struct CascadeResult {
  Shock shock;
  std::vector<Round> rounds;
  bool settled = false;  // false: stopped by the round limit while accounts still fell
  [[nodiscard]] chain::u256 total_collateral_seized_base() const;
  [[nodiscard]] chain::u256 total_debt_repaid_base() const;
  [[nodiscard]] chain::u256 final_bad_debt_base() const;
};

enum class CascadeErrorKind { unknown_asset, exchange, ledger };
struct CascadeError {
  CascadeErrorKind kind = CascadeErrorKind::ledger;
  std::string message;
};

struct CascadeOptions {
  std::uint64_t timestamp = 0;  // interest accrued to this time
  std::size_t max_rounds = 20;
  // Every account evaluated exactly every round, without the health bounds' filter: the
  // reference the filter is tested against (same result, much slower).
  bool exact_all = false;
  // Each round lists every account under 1 with its health factor and amounts (Round::accounts).
  // A sweep reports totals only: without the listings it writes no memory per account (over a
  // sweep of 100k accounts, hundreds of MB of fresh pages) and skips the exact totals of the
  // accounts under 1 that nobody can liquidate, which only the listing shows.
  bool list_accounts = true;
};

class Cascade {
 public:
  // Reads every account's health bound once; runs then reuse them.
  Cascade(Ledger& ledger, CascadeOptions options);

  // One shock from the ledger's market and the exchange's state; both are left as they were.
  [[nodiscard]] tl::expected<CascadeResult, CascadeError> run(const Shock& shock,
                                                              const Exchange& exchange);

  [[nodiscard]] std::size_t accounts() const noexcept { return ledger_.account_count(); }

 private:
  // Where an account's bound terms sit in terms_.
  struct Slot {
    std::uint32_t offset = 0;
    std::uint16_t count = 0;
    std::uint16_t capacity = 0;
  };
  struct Saved {
    AccountId id = 0;
    Slot slot;
    double slack = 0.0;
    std::size_t first = 0;  // its terms in saved_terms_
  };

  [[nodiscard]] tl::expected<void, CascadeError> round(Round& r, Exchange& exchange,
                                                       std::vector<chain::u256>& prices);
  void store(AccountId id, const HealthBound& bound);
  void store_row(AccountId id);  // dense_'s row of id from its terms
  [[nodiscard]] bool may_fall(AccountId id) const noexcept;
  void refresh(AccountId id);
  void mark_bad(AccountId id, const chain::u256& debt_base);
  void list(Round& r, Liquidation&& l) const;
  void restore();

  Ledger& ledger_;
  CascadeOptions options_;
  // Every account's health bound, flat: a round's filter streams through memory once.
  std::vector<Slot> slots_;
  std::vector<BoundTerm> terms_;
  std::vector<double> slack_;
  DenseBounds dense_;    // the same bounds as rows, for the filter of a market of few assets
  HealthBound scratch_;  // a refreshed bound, its vector reused
  std::vector<double> price_doubles_;  // a round's prices as the bounds take them
  std::vector<AccountId> candidates_;  // a round's accounts the bounds cannot prove healthy
  std::vector<AccountId> liquidated_;  // a round's accounts liquidated
  // Bounds as the market holds them, for the accounts a run changed.
  std::vector<Saved> saved_;
  std::vector<BoundTerm> saved_terms_;
  std::vector<bool> bound_saved_;  // by AccountId
  // Accounts left with debt and no collateral during a run, and that debt when they were found:
  // nothing can be seized from them any more, so later rounds neither list nor re-evaluate them.
  std::vector<std::pair<AccountId, chain::u256>> bad_;
  std::vector<std::uint8_t> is_bad_;  // by AccountId: 1 or 0 (bytes: the filter reads them all)
};

// The value of `amount` of an asset at `price` (per whole token), in base units.
[[nodiscard]] chain::u256 value_base(const chain::u256& amount, const chain::u256& price,
                                     std::uint8_t decimals);

}  // namespace strategy::cascade
