#include "protocols/aave_v3/liquidation.hpp"

#include "chain/uint256_words.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"

namespace protocols::aave_v3 {
namespace {

using chain::u256;

// Prices as _getConfigurationData picks them: the eMode category's source where it applies.
const u256& collateral_price(const Market& m, const Reserve& r, const Account& a) {
  if (a.emode != 0 && r.config.emode_category == a.emode) {
    const auto it = m.emodes.find(a.emode);
    if (it != m.emodes.end() && !it->second.price_source.is_zero()) return it->second.price;
  }
  return r.price;
}

const u256& debt_price(const Market& m, const Reserve& r, const Account& a) {
  if (a.emode != 0) {
    const auto it = m.emodes.find(a.emode);
    if (it != m.emodes.end() && !it->second.price_source.is_zero()) return it->second.price;
  }
  return r.price;
}

std::uint32_t bonus_of(const Market& m, const Reserve& r, const Account& a) {
  if (a.emode != 0 && r.config.emode_category == a.emode) {
    const auto it = m.emodes.find(a.emode);
    if (it != m.emodes.end()) return it->second.liquidation_bonus;
  }
  return r.config.liquidation_bonus;
}

}  // namespace

std::string_view describe(LiquidationError e) noexcept {
  switch (e) {
    case LiquidationError::healthy: return "health factor not below 1 (Aave error 45)";
    case LiquidationError::collateral_not_liquidatable:
      return "collateral cannot be liquidated (Aave error 46)";
    case LiquidationError::debt_not_borrowed:
      return "the account does not borrow this asset (Aave error 47)";
    case LiquidationError::reserve_inactive_or_paused:
      return "reserve inactive or paused (Aave errors 27/29)";
    case LiquidationError::math: return "arithmetic overflow (the Pool would revert)";
  }
  return "unknown liquidation error";
}

tl::expected<LiquidationOutcome, LiquidationError> liquidation_outcome(
    const Market& market, const Account& account, std::uint16_t collateral_id,
    std::uint16_t debt_id, const u256& debt_to_cover, std::uint64_t timestamp) {
  using E = LiquidationError;
  if (collateral_id >= market.reserves.size() || debt_id >= market.reserves.size())
    return tl::unexpected(E::math);
  auto data = account_data(market, account, timestamp);
  if (!data) return tl::unexpected(E::math);
  return liquidation_outcome_at(market, account, data->health_factor, collateral_id, debt_id,
                                debt_to_cover, timestamp);
}

namespace {

// liquidation_outcome_at from the debt position's balances (variable, stable) and a way to read
// the collateral's aToken balance, which the Pool reads only once the call is validated.
template <typename ReadCollateral>
tl::expected<LiquidationOutcome, LiquidationError> outcome_from(
    const Market& market, const Account& account, const u256& health_factor,
    std::uint16_t collateral_id, std::uint16_t debt_id, const u256& debt_to_cover,
    const u256& variable, const u256& stable, ReadCollateral&& read_collateral) {
  using E = LiquidationError;
  const Reserve& coll = market.reserves[collateral_id];
  const Reserve& debt = market.reserves[debt_id];
  const u256 total_debt = variable + stable;

  // ValidationLogic.validateLiquidationCall, in its order.
  if (!coll.config.active || !debt.config.active || coll.config.paused || debt.config.paused)
    return tl::unexpected(E::reserve_inactive_or_paused);
  if (health_factor >= kWad) return tl::unexpected(E::healthy);
  if (coll.config.liquidation_threshold == 0 || !account.config.using_as_collateral(collateral_id))
    return tl::unexpected(E::collateral_not_liquidatable);
  if (total_debt == 0) return tl::unexpected(E::debt_not_borrowed);

  const std::uint32_t close_factor =
      health_factor > kCloseFactorHfThreshold ? kDefaultCloseFactor : kMaxCloseFactor;
  auto max_liquidatable = percent_mul(total_debt, u256{close_factor});
  if (!max_liquidatable) return tl::unexpected(E::math);
  const u256 requested = debt_to_cover > *max_liquidatable ? *max_liquidatable : debt_to_cover;

  auto balance = read_collateral();
  if (!balance) return tl::unexpected(E::math);
  auto out = collateral_for_debt(market, account, collateral_id, debt_id, requested, *balance);
  if (!out) return out;
  out->health_factor = health_factor;
  out->close_factor = close_factor;
  out->max_liquidatable = *max_liquidatable;
  return out;
}

}  // namespace

tl::expected<LiquidationOutcome, LiquidationError> liquidation_outcome_at(
    const Market& market, const Account& account, const u256& health_factor,
    std::uint16_t collateral_id, std::uint16_t debt_id, const u256& debt_to_cover,
    std::uint64_t timestamp) {
  if (collateral_id >= market.reserves.size() || debt_id >= market.reserves.size())
    return tl::unexpected(LiquidationError::math);
  const Position empty;
  const Position* dp = account.position(debt_id);
  const Position* cp = account.position(collateral_id);
  auto variable = variable_debt_balance(market.reserves[debt_id], dp ? *dp : empty, timestamp);
  auto stable = stable_debt_balance(dp ? *dp : empty, timestamp);
  if (!variable || !stable) return tl::unexpected(LiquidationError::math);
  return outcome_from(
      market, account, health_factor, collateral_id, debt_id, debt_to_cover, *variable, *stable,
      [&] { return a_token_balance(market.reserves[collateral_id], cp ? *cp : empty, timestamp); });
}

tl::expected<LiquidationOutcome, LiquidationError> liquidation_outcome_read(
    const Market& market, const Account& account, const u256& health_factor,
    std::uint16_t collateral_id, std::uint16_t debt_id, const u256& debt_to_cover,
    const PositionBalances& debt_read, const PositionBalances& collateral_read,
    std::uint64_t timestamp) {
  if (!debt_read.debt_read)
    return liquidation_outcome_at(market, account, health_factor, collateral_id, debt_id,
                                  debt_to_cover, timestamp);
  if (collateral_id >= market.reserves.size() || debt_id >= market.reserves.size())
    return tl::unexpected(LiquidationError::math);
  return outcome_from(
      market, account, health_factor, collateral_id, debt_id, debt_to_cover,
      debt_read.variable_debt, debt_read.stable_debt, [&]() -> tl::expected<u256, MathError> {
        if (collateral_read.collateral_read) return collateral_read.a_token;
        const Position empty;
        const Position* cp = account.position(collateral_id);
        return a_token_balance(market.reserves[collateral_id], cp ? *cp : empty, timestamp);
      });
}

tl::expected<LiquidationOutcome, LiquidationError> collateral_for_debt(
    const Market& market, const Account& account, std::uint16_t collateral_id,
    std::uint16_t debt_id, const u256& requested, const u256& balance) {
  using E = LiquidationError;
  if (collateral_id >= market.reserves.size() || debt_id >= market.reserves.size())
    return tl::unexpected(E::math);
  const Reserve& coll = market.reserves[collateral_id];
  const Reserve& debt = market.reserves[debt_id];
  LiquidationOutcome out;
  const u256& cprice = collateral_price(market, coll, account);
  const u256& dprice = debt_price(market, debt, account);
  const u256 cunit = pow10(coll.config.decimals);
  const u256 dunit = pow10(debt.config.decimals);
  const u256 bonus{bonus_of(market, coll, account)};

  // _calculateAvailableCollateralToLiquidate, with the Pool's checked multiplications.
  const auto base_collateral =
      chain::checked_mul3_div_by_product(dprice, requested, cunit, cprice, dunit);
  if (!base_collateral) return tl::unexpected(E::math);
  auto max_collateral = percent_mul(*base_collateral, bonus);
  if (!max_collateral) return tl::unexpected(E::math);
  u256 collateral_amount;
  u256 debt_needed;
  if (*max_collateral > balance) {
    out.collateral_capped = true;
    collateral_amount = balance;
    const auto base_debt =
        chain::checked_mul3_div_by_product(cprice, collateral_amount, dunit, dprice, cunit);
    if (!base_debt) return tl::unexpected(E::math);
    auto needed = percent_div(*base_debt, bonus);
    if (!needed) return tl::unexpected(E::math);
    debt_needed = *needed;
  } else {
    collateral_amount = *max_collateral;
    debt_needed = requested;
  }
  if (coll.config.liquidation_protocol_fee != 0) {
    auto without_bonus = percent_div(collateral_amount, bonus);
    if (!without_bonus) return tl::unexpected(E::math);
    auto fee =
        percent_mul(collateral_amount - *without_bonus, u256{coll.config.liquidation_protocol_fee});
    if (!fee) return tl::unexpected(E::math);
    out.protocol_fee = *fee;
    out.collateral_to_liquidator = collateral_amount - *fee;
  } else {
    out.collateral_to_liquidator = collateral_amount;
  }
  out.debt_repaid = debt_needed;
  return out;
}

}  // namespace protocols::aave_v3
