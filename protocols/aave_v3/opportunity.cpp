#include "protocols/aave_v3/opportunity.hpp"

#include "chain/uint256_words.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"

#include <algorithm>

namespace protocols::aave_v3 {
namespace {

using chain::u256;

bool allowed(const OpportunityLimits& limits, const Address& asset) {
  if (limits.deny_assets.count(asset)) return false;
  return limits.allow_assets.empty() || limits.allow_assets.count(asset);
}

}  // namespace

u256 value_in_base(const Reserve& r, const u256& amount, const u256& price) {
  if (amount == 0 || price == 0) return 0;
  const u256 unit = pow10(r.config.decimals);
  // Within 256 bits the product needs no widening (the same quotient, without a 512-bit division).
  if (msb(amount) + msb(price) + 2 <= 256) return chain::mul_div(amount, price, unit);
  return static_cast<u256>(chain::u512{amount} * price / unit);
}

namespace {

// What evaluate knows of the account before pricing a pair: its health factor, and the two
// positions' balances account_data read (nullptr: computed by the outcome).
struct Known {
  const u256* health_factor = nullptr;
  const PositionBalances* debt_read = nullptr;
  const PositionBalances* collateral_read = nullptr;
};

// evaluate_liquidation, with what is known of the account given.
std::optional<Opportunity> evaluate(const Market& market, const Address& who,
                                    const Account& account, const Known& known,
                                    std::uint16_t collateral, std::uint16_t debt,
                                    const u256& debt_to_cover, std::uint64_t timestamp,
                                    const OpportunityLimits& limits) {
  const Reserve& c = market.reserves.at(collateral);
  const Reserve& d = market.reserves.at(debt);
  if (!allowed(limits, c.asset) || !allowed(limits, d.asset)) return std::nullopt;
  u256 request = debt_to_cover;
  if (limits.max_debt_to_cover_base && d.price != 0) {
    const u256 cap = static_cast<u256>(chain::u512{*limits.max_debt_to_cover_base} *
                                       pow10(d.config.decimals) / d.price);
    if (request > cap) request = cap;
  }
  if (const auto held = limits.max_debt_amount.find(d.asset); held != limits.max_debt_amount.end())
    request = std::min(request, held->second);
  if (request == 0) return std::nullopt;
  auto outcome =
      known.health_factor == nullptr
          ? liquidation_outcome(market, account, collateral, debt, request, timestamp)
      : known.debt_read != nullptr && known.collateral_read != nullptr
          ? liquidation_outcome_read(market, account, *known.health_factor, collateral, debt,
                                     request, *known.debt_read, *known.collateral_read, timestamp)
          : liquidation_outcome_at(market, account, *known.health_factor, collateral, debt, request,
                                   timestamp);
  if (!outcome || outcome->debt_repaid == 0) return std::nullopt;
  Opportunity o;
  o.account = who;
  o.collateral = collateral;
  o.debt = debt;
  o.debt_to_cover = outcome->debt_repaid;  // exactly what the Pool will take
  o.outcome = *outcome;
  o.collateral_value_base = value_in_base(c, outcome->collateral_to_liquidator, c.price);
  o.debt_value_base = value_in_base(d, outcome->debt_repaid, d.price);
  o.profit_base = static_cast<chain::i256>(o.collateral_value_base) -
                  static_cast<chain::i256>(o.debt_value_base) -
                  static_cast<chain::i256>(limits.gas_cost_base);
  return o;
}

// `read`: what account_data read, one entry per position (empty: nothing known).
std::optional<Opportunity> best_of(const Market& market, const Address& who, const Account& account,
                                   const u256* health_factor,
                                   std::span<const PositionBalances> read, std::uint64_t timestamp,
                                   const OpportunityLimits& limits) {
  const bool known_balances = health_factor != nullptr && read.size() == account.positions.size();
  std::optional<Opportunity> best;
  for (std::size_t c = 0; c < account.positions.size(); ++c) {
    const Position& cp = account.positions[c];
    if (!account.config.using_as_collateral(cp.reserve)) continue;
    for (std::size_t d = 0; d < account.positions.size(); ++d) {
      const Position& dp = account.positions[d];
      if (!account.config.borrowing(dp.reserve)) continue;
      const Known known{health_factor, known_balances ? &read[d] : nullptr,
                        known_balances ? &read[c] : nullptr};
      auto o = evaluate(market, who, account, known, cp.reserve, dp.reserve, chain::kU256Max,
                        timestamp, limits);
      if (o && (!best || o->profit_base > best->profit_base)) best = std::move(o);
    }
  }
  return best;
}

}  // namespace

std::optional<Opportunity> evaluate_liquidation(const Market& market, const Address& who,
                                                const Account& account, std::uint16_t collateral,
                                                std::uint16_t debt, const u256& debt_to_cover,
                                                std::uint64_t timestamp,
                                                const OpportunityLimits& limits) {
  return evaluate(market, who, account, Known{}, collateral, debt, debt_to_cover, timestamp,
                  limits);
}

std::optional<Opportunity> best_liquidation(const Market& market, const Address& who,
                                            const Account& account, std::uint64_t timestamp,
                                            const OpportunityLimits& limits) {
  return best_of(market, who, account, nullptr, {}, timestamp, limits);
}

std::optional<Opportunity> best_liquidation_at(const Market& market, const Address& who,
                                               const Account& account, const u256& health_factor,
                                               std::uint64_t timestamp,
                                               const OpportunityLimits& limits) {
  return best_of(market, who, account, &health_factor, {}, timestamp, limits);
}

std::optional<Opportunity> best_liquidation_read(const Market& market, const Address& who,
                                                 const Account& account, const u256& health_factor,
                                                 std::span<const PositionBalances> read,
                                                 std::uint64_t timestamp,
                                                 const OpportunityLimits& limits) {
  return best_of(market, who, account, &health_factor, read, timestamp, limits);
}

}  // namespace protocols::aave_v3
