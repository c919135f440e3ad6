#pragma once
// A lending market a what-if can change: the protocol's exact evaluation (LendingProtocol::assess
// with price moves) over positions that liquidations then really reduce, as the protocol would,
// and undo afterwards so the next what-if starts from the same market.
#include <cstdint>
#include <optional>
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
};

class Ledger {
 public:
  Ledger() = default;
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;
  virtual ~Ledger() = default;

  // The protocol over this ledger's positions: assess, rank forms, prices, valuation.
  [[nodiscard]] virtual const LendingProtocol& protocol() const = 0;
  // By AssetId.
  [[nodiscard]] virtual const std::vector<AssetInfo>& assets() const = 0;
  [[nodiscard]] virtual std::optional<AssetId> asset_id(const chain::Address& asset) const = 0;
  // The account's totals at `timestamp` with `moves` applied.
  [[nodiscard]] virtual AccountTotals totals(const chain::Address& account, std::uint64_t timestamp,
                                             std::span<const PriceMove> moves) const = 0;
  // Carries out `o`, assessed at `timestamp` with `moves`, on the positions exactly as the
  // protocol's liquidation would (debt burnt, collateral and the protocol's fee taken, flags
  // cleared). The amounts are those of the call with `o.debt_to_cover`, which can differ by
  // rounding from the assessment's when the collateral was the limit; zeros (and nothing
  // changed) when the protocol would refuse to move such dust.
  [[nodiscard]] virtual tl::expected<Applied, std::string> apply(
      const Opportunity& o, std::uint64_t timestamp, std::span<const PriceMove> moves) = 0;
  // The accounts apply() changed since the last restore(), and putting them back.
  [[nodiscard]] virtual std::vector<chain::Address> changed() const = 0;
  virtual void restore() = 0;
};

}  // namespace strategy::cascade
