#include "protocols/morpho_blue/market_math.hpp"

namespace protocols::morpho_blue {

Accrual accrue_interest(MarketTotals& totals, const u256& borrow_rate, std::uint64_t timestamp,
                        bool has_irm) {
  const u256 now{timestamp};
  if (now <= totals.last_update) return {};
  const u256 elapsed = now - totals.last_update;
  Accrual a;
  if (has_irm) {
    a.interest = w_mul_down(totals.total_borrow_assets, w_taylor_compounded(borrow_rate, elapsed));
    totals.total_borrow_assets += a.interest;
    totals.total_supply_assets += a.interest;
    if (totals.fee != 0) {
      const u256 fee_amount = w_mul_down(a.interest, totals.fee);
      // Supply already holds the whole interest, the fee included: Morpho prices the fee's
      // shares against the supply without it.
      a.fee_shares = to_shares_down(fee_amount, totals.total_supply_assets - fee_amount,
                                    totals.total_supply_shares);
      totals.total_supply_shares += a.fee_shares;
    }
  }
  totals.last_update = now;
  return a;
}

Health health(const MarketTotals& totals, const Position& position, const u256& lltv,
              const u256& collateral_price) {
  Health h;
  h.borrowed =
      to_assets_up(position.borrow_shares, totals.total_borrow_assets, totals.total_borrow_shares);
  h.max_borrow =
      w_mul_down(mul_div_down(position.collateral, collateral_price, kOraclePriceScale), lltv);
  return h;
}

u256 health_factor(const Health& h) {
  if (h.borrowed == 0) return chain::kU256Max;
  return mul_div_down(h.max_borrow, kWad, h.borrowed);
}

tl::expected<LiquidationOutcome, LiquidationRefusal> liquidate(MarketTotals& totals,
                                                               Position& position, const u256& lltv,
                                                               const u256& collateral_price,
                                                               const u256& seized_assets,
                                                               const u256& repaid_shares) {
  if ((seized_assets == 0) == (repaid_shares == 0))
    return tl::unexpected(LiquidationRefusal::inconsistent_input);
  if (health(totals, position, lltv, collateral_price).healthy())
    return tl::unexpected(LiquidationRefusal::healthy);
  const u256 incentive = liquidation_incentive_factor(lltv);
  LiquidationOutcome out;
  if (seized_assets > 0) {
    out.seized_assets = seized_assets;
    const auto quoted = checked_mul_div_up(seized_assets, collateral_price, kOraclePriceScale);
    if (!quoted) return tl::unexpected(LiquidationRefusal::overflow);
    out.repaid_shares = to_shares_up(w_div_up(*quoted, incentive), totals.total_borrow_assets,
                                     totals.total_borrow_shares);
  } else {
    // The seized collateral is the repaid value divided by the price: a division by zero on chain.
    if (collateral_price == 0) return tl::unexpected(LiquidationRefusal::zero_price);
    out.repaid_shares = repaid_shares;
    out.seized_assets = mul_div_down(
        w_mul_down(
            to_assets_down(repaid_shares, totals.total_borrow_assets, totals.total_borrow_shares),
            incentive),
        kOraclePriceScale, collateral_price);
  }
  out.repaid_assets =
      to_assets_up(out.repaid_shares, totals.total_borrow_assets, totals.total_borrow_shares);
  if (out.repaid_shares > position.borrow_shares || out.seized_assets > position.collateral)
    return tl::unexpected(LiquidationRefusal::too_much);

  position.borrow_shares -= out.repaid_shares;
  totals.total_borrow_shares -= out.repaid_shares;
  totals.total_borrow_assets = totals.total_borrow_assets > out.repaid_assets
                                   ? totals.total_borrow_assets - out.repaid_assets
                                   : u256{0};
  position.collateral -= out.seized_assets;

  if (position.collateral == 0) {
    out.bad_debt_shares = position.borrow_shares;
    const u256 owed =
        to_assets_up(out.bad_debt_shares, totals.total_borrow_assets, totals.total_borrow_shares);
    out.bad_debt_assets = owed < totals.total_borrow_assets ? owed : totals.total_borrow_assets;
    if (out.bad_debt_assets > totals.total_supply_assets)
      return tl::unexpected(LiquidationRefusal::overflow);
    totals.total_borrow_assets -= out.bad_debt_assets;
    totals.total_supply_assets -= out.bad_debt_assets;
    totals.total_borrow_shares -= out.bad_debt_shares;
    position.borrow_shares = 0;
  }
  return out;
}

u256 max_seizable(const MarketTotals& totals, const Position& position, const u256& lltv,
                  const u256& collateral_price) {
  if (collateral_price == 0) return 0;
  const u256 incentive = liquidation_incentive_factor(lltv);
  // What repaying every share would seize, as liquidate computes it from repaidShares.
  const u256 for_all_shares =
      mul_div_down(w_mul_down(to_assets_down(position.borrow_shares, totals.total_borrow_assets,
                                             totals.total_borrow_shares),
                              incentive),
                   kOraclePriceScale, collateral_price);
  return for_all_shares < position.collateral ? for_all_shares : position.collateral;
}

std::optional<std::pair<u256, LiquidationOutcome>> largest_seizure(
    const MarketTotals& totals, const MarketTotals& earliest, const Position& position,
    const u256& lltv, const u256& price, const u256& upper, const u256& max_repaid,
    const u256& margin_assets) {
  const u256 margin_shares =
      margin_assets == 0
          ? u256{0}
          : to_shares_up(margin_assets, earliest.total_borrow_assets, earliest.total_borrow_shares);
  // Feasibility only shrinks as the seized amount grows: a bisection finds the edge.
  const auto attempt = [&](const u256& seized) -> std::optional<LiquidationOutcome> {
    MarketTotals t = totals;
    Position p = position;
    auto out = liquidate(t, p, lltv, price, seized, 0);
    if (!out || out->repaid_assets > max_repaid) return std::nullopt;
    MarketTotals early_totals = earliest;
    Position early_position = position;
    const auto early = liquidate(early_totals, early_position, lltv, price, seized, 0);
    // Where the position is still healthy at the head's timestamp, Morpho refuses it there
    // ("position is healthy", no panic); later it takes fewer shares.
    if (!early && early.error() != LiquidationRefusal::healthy) return std::nullopt;
    const u256& shares = early ? early->repaid_shares : out->repaid_shares;
    if (shares + margin_shares > position.borrow_shares) return std::nullopt;
    return *out;
  };
  if (upper == 0) return std::nullopt;
  if (auto full = attempt(upper)) return std::pair{upper, *full};
  u256 lo = 0, hi = upper;  // attempt(lo) holds (or lo is 0), attempt(hi) fails
  while (hi - lo > 1) {
    const u256 mid = lo + (hi - lo) / 2;
    if (attempt(mid))
      lo = mid;
    else
      hi = mid;
  }
  if (lo == 0) return std::nullopt;
  return std::pair{lo, *attempt(lo)};
}

}  // namespace protocols::morpho_blue
