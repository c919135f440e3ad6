#include "protocols/aave_v3/cascade_ledger.hpp"

#include <algorithm>

#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/liquidation.hpp"
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

Market moved(const Market& m, std::span<const strategy::PriceMove> moves) {
  Market out = m;
  for (const auto& move : moves)
    if (move.asset < out.reserves.size()) out.reserves[move.asset].price = move.price;
  return out;
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
  protocol_ =
      std::make_unique<AaveV3Protocol>(market_, positions_, block, contracts, std::move(options));
}

const Market& CascadeLedger::at(std::span<const strategy::PriceMove> moves) const {
  if (moves.empty()) return market_;
  const bool same = moved_valid_ && moved_for_.size() == moves.size() &&
                    std::equal(moves.begin(), moves.end(), moved_for_.begin(),
                               [](const strategy::PriceMove& a, const strategy::PriceMove& b) {
                                 return a.asset == b.asset && a.price == b.price;
                               });
  if (!same) {
    moved_ = moved(market_, moves);
    moved_for_.assign(moves.begin(), moves.end());
    moved_valid_ = true;
  }
  return moved_;
}

std::optional<strategy::AssetId> CascadeLedger::asset_id(const chain::Address& asset) const {
  const auto* r = market_.reserve_of(asset);
  if (r == nullptr) return std::nullopt;
  return static_cast<strategy::AssetId>(r->id);
}

strategy::cascade::AccountTotals CascadeLedger::totals(
    const chain::Address& who, std::uint64_t timestamp,
    std::span<const strategy::PriceMove> moves) const {
  const auto it = positions_.find(who);
  if (it == positions_.end()) return {0, 0, strategy::kNoDebt};
  const auto data = account_data(at(moves), it->second, timestamp);
  if (!data) return {0, 0, strategy::kNoDebt};
  return {data->total_collateral_base, data->total_debt_base, data->health_factor};
}

tl::expected<strategy::cascade::Applied, std::string> CascadeLedger::apply(
    const strategy::Opportunity& o, std::uint64_t timestamp,
    std::span<const strategy::PriceMove> moves) {
  const auto it = positions_.find(o.account);
  const auto* collateral = market_.reserve_of(o.collateral_asset);
  const auto* debt = market_.reserve_of(o.debt_asset);
  if (it == positions_.end() || collateral == nullptr || debt == nullptr)
    return tl::unexpected(std::string{"not an account or reserve of this market"});
  originals_.try_emplace(o.account, it->second);
  // The outcome of the call with the opportunity's debtToCover at the prices it saw, as the Pool
  // will compute it (with the treasury's share of the collateral, which leaves the account too).
  const auto outcome = liquidation_outcome(at(moves), it->second, collateral->id, debt->id,
                                           o.debt_to_cover, timestamp);
  if (!outcome) return tl::unexpected(std::string{describe(outcome.error())});
  // Dust: the Pool reverts a burn of 0 scaled units (INVALID_BURN_AMOUNT); nothing happens.
  const auto scaled_seized = ray_div(outcome->collateral_to_liquidator,
                                     normalized_income(*collateral, timestamp).value_or(kRay));
  if (outcome->debt_repaid == 0 || !scaled_seized || *scaled_seized == 0)
    return strategy::cascade::Applied{0, 0};
  if (auto ok =
          apply_liquidation(market_, it->second, collateral->id, debt->id, *outcome, timestamp);
      !ok)
    return tl::unexpected(ok.error());
  return strategy::cascade::Applied{outcome->debt_repaid, outcome->collateral_to_liquidator};
}

std::vector<chain::Address> CascadeLedger::changed() const {
  std::vector<chain::Address> out;
  out.reserve(originals_.size());
  for (const auto& [who, account] : originals_) out.push_back(who);
  return out;
}

void CascadeLedger::restore() {
  for (auto& [who, account] : originals_) positions_[who] = std::move(account);
  originals_.clear();
}

}  // namespace protocols::aave_v3
