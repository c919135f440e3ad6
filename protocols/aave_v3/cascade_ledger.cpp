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
      u256 fee = outcome.protocol_fee;
      const auto scaled_fee = ray_div(fee, *income_index);
      if (!scaled_fee) return tl::unexpected(std::string{"overflow burning the fee"});
      if (*scaled_fee > p.scaled_a_token) {
        const auto capped = ray_mul(p.scaled_a_token, *income_index);
        if (!capped) return tl::unexpected(std::string{"overflow capping the fee"});
        fee = *capped;
      }
      const auto scaled = ray_div(fee, *income_index);
      if (!scaled) return tl::unexpected(std::string{"overflow burning the fee"});
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

strategy::Assessment CascadeLedger::assess(strategy::AccountId id, std::uint64_t timestamp,
                                           std::span<const u256> prices) const {
  using Verdict = strategy::Assessment::Verdict;
  const Market& m = at(timestamp, prices);
  const auto& [who, account] = *accounts_[id];
  // As AaveV3Protocol::assess without limits; the health factor is computed once for every pair.
  strategy::Assessment out{Verdict::healthy, who, std::nullopt};
  const auto data = account_data(m, account, timestamp);
  if (!data || data->health_factor >= kWad) return out;
  assessed_ = {id, data->health_factor};
  const auto best = best_liquidation_at(m, who, account, data->health_factor, timestamp, {});
  if (!best) {
    const bool has_collateral =
        std::any_of(account.positions.begin(), account.positions.end(), [&](const Position& p) {
          return p.scaled_a_token != 0 && account.config.using_as_collateral(p.reserve);
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
  const auto data = account_data(at(timestamp, prices), accounts_[id]->second, timestamp);
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
  u256 health_factor;
  if (assessed_ && assessed_->first == id) {
    health_factor = assessed_->second;
  } else {
    const auto data = account_data(m, account, timestamp);
    if (!data) return tl::unexpected(std::string{describe(data.error())});
    health_factor = data->health_factor;
  }
  // The outcome of the call with the opportunity's debtToCover at the prices it saw, as the Pool
  // will compute it (with the treasury's share of the collateral, which leaves the account too).
  const auto outcome = liquidation_outcome_at(m, account, health_factor, collateral->id, debt->id,
                                              o.debt_to_cover, timestamp);
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
