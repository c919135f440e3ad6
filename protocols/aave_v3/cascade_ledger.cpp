#include "protocols/aave_v3/cascade_ledger.hpp"

#include <algorithm>

#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/account_weights.hpp"
#include "protocols/aave_v3/liquidation.hpp"
#include "protocols/aave_v3/opportunity.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"

namespace protocols::aave_v3 {
namespace {

using chain::u256;

Position& position_of(Account& account, std::uint16_t reserve) {
  const auto it =
      std::lower_bound(account.positions.begin(), account.positions.end(), reserve,
                       [](const Position& p, std::uint16_t r) { return p.reserve < r; });
  if (it != account.positions.end() && it->reserve == reserve) return *it;
  Position p;
  p.reserve = reserve;
  return *account.positions.insert(it, p);
}

void clear_bit(UserConfig& c, std::size_t bit) { c.data &= ~(u256{1} << bit); }

// ScaledBalanceTokenBase._burnScaled / _transfer: the scaled amount leaving the balance.
tl::expected<void, std::string> burn_scaled(u256& scaled, const u256& amount, const u256& index,
                                            const char* what) {
  const auto s = ray_div(amount, index);
  if (!s) return tl::unexpected(std::string{"overflow burning "} + what);
  if (*s > scaled) return tl::unexpected(std::string{"burning more "} + what + " than held");
  scaled -= *s;
  return {};
}

// The reserve as ReserveLogic.updateState leaves it at `timestamp`: indexes accrued, so that
// balances read there at that time are the same to the wei without computing interest again.
// Left as it is when it cannot be (a time before its last update, an overflow): reads then fail
// as they would have.
void accrue(Reserve& r, std::uint64_t timestamp) {
  if (timestamp == r.last_update) return;
  const auto income = normalized_income(r, timestamp);
  const auto debt = normalized_debt(r, timestamp);
  if (!income || !debt) return;
  r.liquidity_index = *income;
  r.variable_borrow_index = *debt;
  r.last_update = timestamp;
}

}  // namespace

tl::expected<void, std::string> apply_liquidation(const Market& market, Account& account,
                                                  std::uint16_t collateral, std::uint16_t debt,
                                                  const LiquidationOutcome& outcome,
                                                  std::uint64_t timestamp) {
  if (collateral >= market.reserves.size() || debt >= market.reserves.size())
    return tl::unexpected(std::string{"unknown reserve"});
  const Reserve& d = market.reserves[debt];
  const Reserve& c = market.reserves[collateral];
  const auto debt_index = normalized_debt(d, timestamp);
  const auto income_index = normalized_income(c, timestamp);
  if (!debt_index || !income_index) return tl::unexpected(std::string{"index overflow"});

  // _burnDebtTokens: variable debt first, the rest from stable debt.
  {
    Position& p = position_of(account, debt);
    const auto variable = variable_debt_balance(d, p, timestamp);
    const auto stable = stable_debt_balance(p, timestamp);
    if (!variable || !stable) return tl::unexpected(std::string{"debt balance overflow"});
    const u256 total = *variable + *stable;
    if (*variable >= outcome.debt_repaid) {
      if (outcome.debt_repaid != 0)
        if (auto ok = burn_scaled(p.scaled_variable_debt, outcome.debt_repaid, *debt_index,
                                  "variable debt");
            !ok)
          return ok;
    } else {
      if (*variable != 0)
        if (auto ok = burn_scaled(p.scaled_variable_debt, *variable, *debt_index, "variable debt");
            !ok)
          return ok;
      // Stable debt accrues into its principal on burn; what remains is principal again.
      const u256 rest = outcome.debt_repaid - *variable;
      p.stable_principal = *stable > rest ? *stable - rest : u256{0};
      p.stable_last_update = timestamp;
      if (p.stable_principal == 0) p.stable_rate = 0;
    }
    if (total == outcome.debt_repaid) clear_bit(account.config, 2 * std::size_t{debt});
  }
  // _burnCollateralATokens, then the treasury's fee through transferOnLiquidation.
  {
    Position& p = position_of(account, collateral);
    const auto balance = a_token_balance(c, p, timestamp);
    if (!balance) return tl::unexpected(std::string{"collateral balance overflow"});
    if (auto ok = burn_scaled(p.scaled_a_token, outcome.collateral_to_liquidator, *income_index,
                              "collateral");
        !ok)
      return ok;
    if (outcome.protocol_fee != 0) {
      // The Pool caps the treasury's share at what is left, against 1 wei of rounding
      // (LiquidationLogic: "to avoid trying to send more aTokens than available on balance").
      // The scaled fee is burnt as computed, or recomputed from the cap when it exceeds what is
      // left: the same amounts as dividing again, one division fewer.
      auto scaled = ray_div(outcome.protocol_fee, *income_index);
      if (!scaled) return tl::unexpected(std::string{"overflow burning the fee"});
      if (*scaled > p.scaled_a_token) {
        const auto capped = ray_mul(p.scaled_a_token, *income_index);
        if (!capped) return tl::unexpected(std::string{"overflow capping the fee"});
        scaled = ray_div(*capped, *income_index);
        if (!scaled) return tl::unexpected(std::string{"overflow burning the fee"});
      }
      p.scaled_a_token = *scaled > p.scaled_a_token ? u256{0} : p.scaled_a_token - *scaled;
    }
    if (outcome.collateral_to_liquidator + outcome.protocol_fee == *balance)
      clear_bit(account.config, 2 * std::size_t{collateral} + 1);
  }
  return {};
}

CascadeLedger::CascadeLedger(Market market, std::map<Address, Account> positions,
                             std::uint64_t block, AaveContracts contracts, ProtocolOptions options)
    : market_{std::move(market)}, positions_{std::move(positions)} {
  for (const auto& r : market_.reserves)
    assets_.push_back(
        {r.asset, r.symbol, static_cast<std::uint8_t>(std::min(r.config.decimals, 255U))});
  accounts_.reserve(positions_.size());
  for (auto& entry : positions_) accounts_.push_back(&entry);
  saved_.assign(accounts_.size(), false);
  protocol_ =
      std::make_unique<AaveV3Protocol>(market_, positions_, block, contracts, std::move(options));
}

const Market& CascadeLedger::at(std::uint64_t timestamp, std::span<const u256> prices) const {
  if (view_timestamp_ != timestamp) {
    view_ = market_;
    for (auto& r : view_.reserves) accrue(r, timestamp);
    view_timestamp_ = timestamp;
    assessed_.reset();
  }
  for (std::size_t i = 0; i < prices.size() && i < view_.reserves.size(); ++i)
    if (view_.reserves[i].price != prices[i]) {
      view_.reserves[i].price = prices[i];
      assessed_.reset();
    }
  return view_;
}

std::optional<strategy::AssetId> CascadeLedger::asset_id(const chain::Address& asset) const {
  const auto* r = market_.reserve_of(asset);
  if (r == nullptr) return std::nullopt;
  return static_cast<strategy::AssetId>(r->id);
}

strategy::RankForm CascadeLedger::rank_form(strategy::AccountId id, std::uint64_t timestamp) const {
  const Market& m = at(timestamp, {});
  const Account& account = accounts_[id]->second;
  // As AaveV3Protocol::rank_form: an eMode category with its own price source cannot be ranked
  // by one price vector.
  const auto emode = m.emodes.find(account.emode);
  const bool own_prices =
      account.emode != 0 && emode != m.emodes.end() && !emode->second.price_source.is_zero();
  return {account_weights(m, account, timestamp), own_prices};
}

void CascadeLedger::health_bound(strategy::AccountId id, std::uint64_t timestamp,
                                 strategy::cascade::HealthBound& out) const {
  // account_data computes, per reserve, in_base = floor(balance * price / unit), then
  //   TC = sum of collateral in_base,  avgLT = floor(sum(in_base * LT) / TC),
  //   N = percentMul(TC, avgLT),  D = sum of debt in_base,  HF = wadDiv(N, D),
  // and HF >= 1 whenever N >= D. Against the account: every floor of in_base costs at most 1
  // (LT/1e4 once weighted), percentMul at most 0.5, and the floor of avgLT at most 1 basis point
  // of TC, which only happens with two collateral reserves or more (with one, in_base * LT /
  // in_base is exact). So, with m = 1 for several collaterals and 0 for one,
  //   N >= sum((LT_i - m) / 1e4 * balance_i / unit_i * p_i) - sum(LT_i) / 1e4 - 0.5,
  //   D <= sum(debt_j / unit_j * p_j). The
  // doubles (to_double of balances and prices, a short dot product) are off by far less than
  // 1e-12 of the terms, which the coefficients give away too. A relative margin on the health
  // factor alone would not do: the avgLT floor moves a two-collateral account's health by up to
  // 1/avgLT (1.3e-4 at 78%).
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kLess = 1.0 - 1e-12;
  constexpr double kMore = 1.0 + 1e-12;
  out.terms.clear();
  out.slack = kInf;
  const Market& m = at(timestamp, {});
  const Account& account = accounts_[id]->second;
  const EModeCategory* emode = nullptr;
  if (account.emode != 0) {
    const auto it = m.emodes.find(account.emode);
    if (it != m.emodes.end()) {
      // Its own price source: the oracle's prices alone do not value the account.
      if (!it->second.price_source.is_zero() || it->second.price != 0) return;
      emode = &it->second;
    }
  }
  std::size_t collaterals = 0;
  for (const Position& p : account.positions)
    if (p.reserve < m.reserves.size() && account.config.using_as_collateral(p.reserve) &&
        m.reserves[p.reserve].config.liquidation_threshold != 0 && p.scaled_a_token != 0)
      ++collaterals;
  const double floor_lt = collaterals > 1 ? 1.0 : 0.0;
  double slack = 0.5 + 1.0;  // percentMul, and one unit against the doubles
  bool owes = false;
  for (const Position& p : account.positions) {
    if (p.reserve >= m.reserves.size()) continue;
    const Reserve& r = m.reserves[p.reserve];
    const double unit = chain::to_double(pow10(r.config.decimals));
    if (account.config.using_as_collateral(r.id) && r.config.liquidation_threshold != 0) {
      const auto balance = a_token_balance(r, p, timestamp);
      if (!balance) return;  // overflow: the exact evaluation says what the Pool would
      const bool in_emode = emode != nullptr && account.emode == r.config.emode_category;
      const double lt = static_cast<double>(in_emode ? emode->liquidation_threshold
                                                     : r.config.liquidation_threshold);
      if (*balance != 0)
        out.terms.push_back(
            {r.id, chain::to_double(*balance) / unit * (lt - floor_lt) / 1e4 * kLess});
      slack += lt / 1e4;
    }
    if (account.config.borrowing(r.id)) {
      const auto variable = variable_debt_balance(r, p, timestamp);
      const auto stable = stable_debt_balance(p, timestamp);
      if (!variable || !stable) {
        out.terms.clear();
        return;
      }
      const double debt = chain::to_double(*variable) + chain::to_double(*stable);
      if (debt != 0) {
        out.terms.push_back({r.id, -debt / unit * kMore});
        owes = true;
      }
    }
  }
  if (!owes) {
    // No debt: account_data's health factor is the maximum.
    out.terms.clear();
    out.slack = -kInf;
    return;
  }
  out.slack = slack;
}

strategy::Assessment CascadeLedger::assess(strategy::AccountId id, std::uint64_t timestamp,
                                           std::span<const u256> prices) const {
  using Verdict = strategy::Assessment::Verdict;
  const Market& m = at(timestamp, prices);
  const auto& [who, account] = *accounts_[id];
  // As AaveV3Protocol::assess without limits; the health factor is computed once for every pair.
  strategy::Assessment out{Verdict::healthy, who, std::nullopt};
  const auto data = account_data(m, account, timestamp);
  if (!data || data->health_factor >= kWad) return out;
  assessed_ = Assessed{
      id, {data->total_collateral_base, data->total_debt_base, data->health_factor}, 0, 0, {}};
  const auto best = best_liquidation_at(m, who, account, data->health_factor, timestamp, {});
  if (best) {
    assessed_->collateral = best->collateral;
    assessed_->debt = best->debt;
    assessed_->best = best->outcome;
  }
  if (!best) {
    // Named, not captured: clang 14 cannot capture a structured binding.
    const auto& config = account.config;
    const bool has_collateral =
        std::any_of(account.positions.begin(), account.positions.end(), [&](const Position& p) {
          return p.scaled_a_token != 0 && config.using_as_collateral(p.reserve);
        });
    out.verdict = has_collateral ? Verdict::no_allowed_pair : Verdict::no_collateral;
    return out;
  }
  if (best->profit_base <= 0) {
    out.verdict = Verdict::no_bonus;
    return out;
  }
  const auto& collateral = m.reserves[best->collateral];
  const auto& debt = m.reserves[best->debt];
  out.verdict = Verdict::liquidatable;
  out.best = strategy::Opportunity{who,
                                   collateral.asset,
                                   debt.asset,
                                   best->debt_to_cover,
                                   best->outcome.debt_repaid,
                                   best->outcome.collateral_to_liquidator,
                                   best->outcome.health_factor,
                                   static_cast<u256>(best->profit_base),
                                   collateral.symbol + "/" + debt.symbol};
  return out;
}

strategy::cascade::AccountTotals CascadeLedger::totals(strategy::AccountId id,
                                                       std::uint64_t timestamp,
                                                       std::span<const u256> prices) const {
  const Market& m = at(timestamp, prices);  // first: new prices forget the assessment
  if (assessed_ && assessed_->id == id) return assessed_->totals;
  const auto data = account_data(m, accounts_[id]->second, timestamp);
  if (!data) return {0, 0, strategy::kNoDebt};
  return {data->total_collateral_base, data->total_debt_base, data->health_factor};
}

tl::expected<strategy::cascade::Applied, std::string> CascadeLedger::apply(
    strategy::AccountId id, const strategy::Opportunity& o, std::uint64_t timestamp,
    std::span<const u256> prices) {
  if (id >= accounts_.size() || accounts_[id]->first != o.account)
    return tl::unexpected(std::string{"not an account of this market"});
  const Market& m = at(timestamp, prices);
  const auto* collateral = m.reserve_of(o.collateral_asset);
  const auto* debt = m.reserve_of(o.debt_asset);
  if (collateral == nullptr || debt == nullptr)
    return tl::unexpected(std::string{"not a reserve of this market"});
  Account& account = accounts_[id]->second;
  const bool assessed = assessed_ && assessed_->id == id;
  // The outcome of the call with the opportunity's debtToCover at the prices it saw, as the Pool
  // will compute it (with the treasury's share of the collateral, which leaves the account too).
  // The assessment's own outcome is that call's when the collateral was not the limit: it asked
  // for the most the close factor allows and repaid exactly that, which the call asks again.
  tl::expected<LiquidationOutcome, LiquidationError> outcome;
  if (assessed && assessed_->best && !assessed_->best->collateral_capped &&
      assessed_->collateral == collateral->id && assessed_->debt == debt->id &&
      assessed_->best->debt_repaid == o.debt_to_cover) {
    outcome = *assessed_->best;
  } else {
    u256 health_factor;
    if (assessed) {
      health_factor = assessed_->totals.health_factor;
    } else {
      const auto data = account_data(m, account, timestamp);
      if (!data) return tl::unexpected(std::string{describe(data.error())});
      health_factor = data->health_factor;
    }
    outcome = liquidation_outcome_at(m, account, health_factor, collateral->id, debt->id,
                                     o.debt_to_cover, timestamp);
  }
  if (!outcome) return tl::unexpected(std::string{describe(outcome.error())});
  // Dust: the Pool reverts a burn of 0 scaled units (INVALID_BURN_AMOUNT); nothing happens.
  const auto scaled_seized = ray_div(outcome->collateral_to_liquidator,
                                     normalized_income(*collateral, timestamp).value_or(kRay));
  if (outcome->debt_repaid == 0 || !scaled_seized || *scaled_seized == 0)
    return strategy::cascade::Applied{0, 0};
  if (!saved_[id]) {
    originals_.emplace_back(id, account);
    saved_[id] = true;
  }
  assessed_.reset();
  if (auto ok = apply_liquidation(m, account, collateral->id, debt->id, *outcome, timestamp); !ok)
    return tl::unexpected(ok.error());
  return strategy::cascade::Applied{outcome->debt_repaid, outcome->collateral_to_liquidator};
}

std::vector<strategy::AccountId> CascadeLedger::changed() const {
  std::vector<strategy::AccountId> out;
  out.reserve(originals_.size());
  for (const auto& [id, account] : originals_) out.push_back(id);
  return out;
}

void CascadeLedger::restore() {
  for (auto& [id, account] : originals_) {
    accounts_[id]->second = std::move(account);
    saved_[id] = false;
  }
  originals_.clear();
  assessed_.reset();
}

}  // namespace protocols::aave_v3
