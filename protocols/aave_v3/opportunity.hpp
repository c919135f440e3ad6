#pragma once
// The most profitable liquidation of one account: every (collateral, debt) pair the Pool accepts,
// each at the largest debtToCover the limits allow (profit grows with it until the collateral
// caps it), valued at the oracle's prices, net of gas.
#include <map>
#include <optional>
#include <set>

#include "protocols/aave_v3/liquidation.hpp"

namespace protocols::aave_v3 {

struct OpportunityLimits {
  std::optional<chain::u256> max_debt_to_cover_base;  // per transaction, base currency units
  std::set<Address> allow_assets;                     // empty: all
  std::set<Address> deny_assets;
  chain::u256 gas_cost_base;  // expected gas × fee, in base currency units
  // Debt asset -> the most keeper can repay of it now (its inventory); absent: no limit.
  std::map<Address, chain::u256> max_debt_amount;
};

struct Opportunity {
  Address account;
  std::uint16_t collateral = 0;
  std::uint16_t debt = 0;
  chain::u256 debt_to_cover;  // what to pass to liquidationCall
  LiquidationOutcome outcome;
  chain::u256 collateral_value_base;
  chain::u256 debt_value_base;
  chain::i256 profit_base;  // collateral value − debt value − gas
};

// Value of `amount` of reserve `r` in base currency at `price`.
[[nodiscard]] chain::u256 value_in_base(const Reserve& r, const chain::u256& amount,
                                        const chain::u256& price);

[[nodiscard]] std::optional<Opportunity> best_liquidation(const Market& market, const Address& who,
                                                          const Account& account,
                                                          std::uint64_t timestamp,
                                                          const OpportunityLimits& limits);
// The same, with the account's health factor at `market`'s prices already known.
[[nodiscard]] std::optional<Opportunity> best_liquidation_at(
    const Market& market, const Address& who, const Account& account,
    const chain::u256& health_factor, std::uint64_t timestamp, const OpportunityLimits& limits);

// The same, with the balances account_data read at `market`'s time (one entry per
// account.positions) as well: each pair's outcome reads none again.
[[nodiscard]] std::optional<Opportunity> best_liquidation_read(
    const Market& market, const Address& who, const Account& account,
    const chain::u256& health_factor, std::span<const PositionBalances> read,
    std::uint64_t timestamp, const OpportunityLimits& limits);

// The same valuation for one given pair and amount (the brute-force reference in tests).
[[nodiscard]] std::optional<Opportunity> evaluate_liquidation(
    const Market& market, const Address& who, const Account& account, std::uint16_t collateral,
    std::uint16_t debt, const chain::u256& debt_to_cover, std::uint64_t timestamp,
    const OpportunityLimits& limits);

}  // namespace protocols::aave_v3
