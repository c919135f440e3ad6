#pragma once
// A lending market a what-if can change: the protocol's exact evaluation (what
// LendingProtocol::assess gives with price moves) over positions that liquidations then really
// reduce, as the protocol would, and undo afterwards so the next what-if starts from the same
// market. Accounts are addressed by dense ids and prices given whole, so that a sweep's hundreds
// of thousands of exact evaluations cost no lookups and no market copies.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "strategy/lending_protocol.hpp"

namespace strategy::cascade {

struct AssetInfo {
  chain::Address address;
  std::string symbol;
  std::uint8_t decimals = 18;
};

// A safe, linear bound on an account's exact health, for a filter that spares most accounts the
// exact evaluation: at any oracle prices p (by AssetId, as doubles),
//   sum over terms of coefficient * p[asset] >= slack   implies   the exact health factor >= 1.
// Collateral terms are positive and debt terms negative; the coefficients already carry the
// protocol's rounding against the account and the doubles' own error. slack is +infinity when
// no price vector bounds the account (evaluate it exactly every time) and -infinity when it owes
// nothing (it cannot fall).
struct BoundTerm {
  AssetId asset = 0;
  double coefficient = 0.0;
};
struct HealthBound {
  std::vector<BoundTerm> terms;
  double slack = 0.0;
};

// An account's value at some prices, in the protocol's base currency.
struct AccountTotals {
  chain::u256 collateral_base;  // what can still be seized
  chain::u256 debt_base;
  chain::u256 health_factor;  // kHealthOne is 1; kNoDebt when it owes nothing
};

// What a liquidation took and gave, as the protocol computes it for the call's own arguments.
struct Applied {
  chain::u256 debt_repaid;
  chain::u256 collateral_seized;  // to the liquidator
  // The opportunity's assets, as the ledger resolved them: a round needs no lookup of its own.
  AssetId collateral = 0;
  AssetId debt = 0;
};

class Ledger {
 public:
  Ledger() = default;
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;
  virtual ~Ledger() = default;

  // The protocol over this ledger's positions: symbols, oracle prices, valuation, rank prices.
  [[nodiscard]] virtual const LendingProtocol& protocol() const = 0;
  // By AssetId.
  [[nodiscard]] virtual const std::vector<AssetInfo>& assets() const = 0;
  [[nodiscard]] virtual std::optional<AssetId> asset_id(const chain::Address& asset) const = 0;

  // The accounts, by dense ids 0 .. account_count() - 1 that the ledger keeps for its life: a
  // simulation keys everything by them and touches an address only to report it.
  [[nodiscard]] virtual std::size_t account_count() const = 0;
  [[nodiscard]] virtual const chain::Address& address(AccountId id) const = 0;
  // The account's rank form at `timestamp`, as its positions stand now.
  [[nodiscard]] virtual RankForm rank_form(AccountId id, std::uint64_t timestamp) const = 0;

  // The account's bound at `timestamp`, as its positions stand now, into `out` (its vector
  // reused: a cascade refreshes one per liquidation).
  virtual void health_bound(AccountId id, std::uint64_t timestamp, HealthBound& out) const = 0;

  // A hint: `upcoming` are the accounts assess() or health_bound() will be asked about next,
  // in that order. A ledger whose accounts lie scattered in memory starts loading some of them,
  // so that a round's exact evaluations overlap their cache misses instead of waiting on them
  // one after another. Changes nothing.
  virtual void prefetch(std::span<const AccountId> /*upcoming*/) const {}

  // `prices` below are every asset's oracle price, by AssetId.
  // What LendingProtocol::assess says of the account at those prices, without limits.
  [[nodiscard]] virtual Assessment assess(AccountId id, std::uint64_t timestamp,
                                          std::span<const chain::u256> prices) const = 0;
  // The account's totals at `timestamp` and `prices`.
  [[nodiscard]] virtual AccountTotals totals(AccountId id, std::uint64_t timestamp,
                                             std::span<const chain::u256> prices) const = 0;
  // Carries out `o`, assessed at `timestamp` and `prices`, on the positions exactly as the
  // protocol's liquidation would (debt burnt, collateral and the protocol's fee taken, flags
  // cleared). The amounts are those of the call with `o.debt_to_cover`, which can differ by
  // rounding from the assessment's when the collateral was the limit; zeros (and nothing
  // changed) when the protocol would refuse to move such dust. Names the assets it resolved.
  [[nodiscard]] virtual tl::expected<Applied, std::string> apply(
      AccountId id, const Opportunity& o, std::uint64_t timestamp,
      std::span<const chain::u256> prices) = 0;
  // The accounts apply() changed since the last restore(), and putting them back.
  [[nodiscard]] virtual std::vector<AccountId> changed() const = 0;
  virtual void restore() = 0;
};

}  // namespace strategy::cascade
