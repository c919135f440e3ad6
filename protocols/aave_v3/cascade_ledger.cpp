#include "protocols/aave_v3/cascade_ledger.hpp"

#include <algorithm>

#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/account_weights.hpp"
#include "protocols/aave_v3/liquidation.hpp"
#include "protocols/aave_v3/opportunity.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"
#include "strategy/cascade/huge_pages.hpp"

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
                                            const char* what, const u256* amount_scaled = nullptr) {
  const auto s =
      amount_scaled != nullptr ? std::optional<u256>{*amount_scaled} : ray_div(amount, index);
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

// Whether an account that assess() finds under 1 with no pair to liquidate (best_of found none,
// and it has collateral) would be found so again at any prices P' that differ from `m`'s P only
// in the reserves it uses as collateral, each priced no higher, and not in those it borrows
// (positions, flags, indexes and every other price the same). It would, when:
//  (1) account_data at P' still gives a health factor under 1. Each collateral's in_base
//      = floor(balance * price / unit) is no larger at P', its debt's are the same (same
//      balances and prices): TC' <= TC, D' = D, and with TC and D under 2^128 no product there
//      can overflow. The numerator N = percentMul(TC, avgLT), avgLT = floor(S / TC), S = sum of
//      in_base * LT, is not monotone (a falling collateral of lower threshold can raise avgLT by
//      a basis point), but S' <= S < TC * (avgLT + 1), so N' <= floor((S' + 5000) / 1e4) <=
//      Nmax = floor((TC * (avgLT + 1) + 5000) / 1e4), and wadDiv grows with its numerator:
//      HF' <= wadDiv(Nmax, D) =: HFmax, required under 1.
//  (2) The close factor does not fall: 100% (HF <= 0.95) stays 100% when HFmax <= 0.95 too, and
//      50% can only become 100%. So requested' = percentMul(total debt, CF') >= requested.
//  (3) Every pair it fails on fails at P' too. A pair refused for reasons that do not involve
//      prices (inactive or paused reserve, not collateral, not borrowed) is refused again (the
//      only check before them that reads prices is "healthy", passed by (1)). Any other pair
//      succeeded with the collateral capped and repaying 0 (uncapped, it repays requested =
//      percentMul(debt >= 1, CF >= 50%) >= 1): at P' a step either overflows (refused: fine) or
//      gives base' = floor(p_d * requested' * cunit / (p'_c * dunit)) >= base (p'_c = 0
//      divides by zero: refused), so maxCollateral' = percentMul(base', bonus) >= maxCollateral
//      > balance, capped again, and debtNeeded' = percentDiv(floor(p'_c * balance * dunit /
//      (p_d * cunit)), bonus) <= debtNeeded = 0, since floor and percentDiv only grow with their
//      argument. evaluate() drops a pair that repays 0. A pair that overflowed at P is not
//      accepted: a lower collateral price could lift the overflow.
// Debt prices must stay put, not merely not fall: a higher one could overflow account_data's
// debt value (then assess() says healthy). In a cascade only sales move prices, downwards. An
// eMode category with its own price is left out (that price is not among the cascade's).
bool no_pair_holds(const Market& m, const Account& account, const AccountData& data,
                   std::uint64_t timestamp) {
  using E = LiquidationError;
  if (account.emode != 0) {
    const auto it = m.emodes.find(account.emode);
    if (it != m.emodes.end() && (!it->second.price_source.is_zero() || it->second.price != 0))
      return false;
  }
  static const u256 kLimit = u256{1} << 128;
  const u256& tc = data.total_collateral_base;
  const u256& debt = data.total_debt_base;
  if (tc >= kLimit || debt >= kLimit || debt == 0 || data.health_factor >= kWad) return false;
  // (1) and (2).
  const auto s_bound = chain::checked_mul(tc, data.current_liquidation_threshold + 1);
  if (!s_bound) return false;
  const u256 n_max = (*s_bound + kHalfPercentage) / kPercentageFactor;
  const auto hf_max = wad_div(n_max, debt);
  if (!hf_max || *hf_max >= kWad) return false;
  if (data.health_factor <= kCloseFactorHfThreshold && *hf_max > kCloseFactorHfThreshold)
    return false;
  // (3), over the pairs best_of tries, with its request (the most the Pool allows).
  for (const Position& cp : account.positions) {
    if (!account.config.using_as_collateral(cp.reserve)) continue;
    for (const Position& dp : account.positions) {
      if (!account.config.borrowing(dp.reserve)) continue;
      const auto o = liquidation_outcome_at(m, account, data.health_factor, cp.reserve, dp.reserve,
                                            chain::kU256Max, timestamp);
      if (o) {
        if (!o->collateral_capped || o->debt_repaid != 0) return false;
      } else if (o.error() != E::reserve_inactive_or_paused &&
                 o.error() != E::collateral_not_liquidatable && o.error() != E::debt_not_borrowed) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

tl::expected<void, std::string> apply_liquidation(const Market& market, Account& account,
                                                  std::uint16_t collateral, std::uint16_t debt,
                                                  const LiquidationOutcome& outcome,
                                                  std::uint64_t timestamp,
                                                  const LiquidationReads& known) {
  const PositionBalances* debt_read = known.debt;
  const PositionBalances* collateral_read = known.collateral;
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
    const bool read = debt_read != nullptr && debt_read->debt_read;
    const auto variable = read ? tl::expected<u256, MathError>{debt_read->variable_debt}
                               : variable_debt_balance(d, p, timestamp);
    const auto stable = read ? tl::expected<u256, MathError>{debt_read->stable_debt}
                             : stable_debt_balance(p, timestamp);
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
    const auto balance = collateral_read != nullptr && collateral_read->collateral_read
                             ? tl::expected<u256, MathError>{collateral_read->a_token}
                             : a_token_balance(c, p, timestamp);
    if (!balance) return tl::unexpected(std::string{"collateral balance overflow"});
    if (auto ok = burn_scaled(p.scaled_a_token, outcome.collateral_to_liquidator, *income_index,
                              "collateral", known.collateral_scaled);
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
  addresses_.reserve(positions_.size());
  for (auto& entry : positions_) {
    accounts_.push_back(&entry);
    addresses_.push_back(entry.first);
  }
  saved_.assign(accounts_.size(), false);
  // Room for every account to be saved, reserved (address space only, no page touched): grown
  // by doubling, a sweep's first shock would copy the saved positions and touch fresh pages
  // for every copy.
  std::size_t held = 0;
  for (const auto* entry : accounts_) held += entry->second.positions.size();
  originals_.reserve(accounts_.size());
  original_positions_.reserve(held);
  no_pair_since_.assign(accounts_.size(), 0);
  no_pair_uses_.resize(accounts_.size());
  spots_.resize(accounts_.size());
  for (std::size_t id = 0; id < accounts_.size(); ++id)
    note_spot(static_cast<strategy::AccountId>(id));
  back_with_huge_pages();
  protocol_ = std::make_unique<AaveV3Protocol>(market_, positions_, block, contracts, options);
}

const Market& CascadeLedger::at(std::uint64_t timestamp, std::span<const u256> prices) const {
  if (view_timestamp_ != timestamp) {
    view_ = market_;
    for (auto& r : view_.reserves) accrue(r, timestamp);
    view_timestamp_ = timestamp;
    assessed_.reset();
    forget_no_pairs();  // proven at other indexes
  }
  for (std::size_t i = 0; i < prices.size() && i < view_.reserves.size(); ++i)
    if (view_.reserves[i].price != prices[i]) {
      view_.reserves[i].price = prices[i];
      assessed_.reset();
    }
  return view_;
}

void CascadeLedger::back_with_huge_pages() const {
  using strategy::cascade::back_with_huge_pages;
  // What a sweep reads or writes per account: the accounts themselves (below), the undo
  // buffers reserved for every account, and the arrays by AccountId.
  (void)back_with_huge_pages(original_positions_);
  (void)back_with_huge_pages(originals_);
  (void)back_with_huge_pages(spots_);
  (void)back_with_huge_pages(addresses_);
  (void)back_with_huge_pages(accounts_);
  (void)back_with_huge_pages(no_pair_uses_);
  (void)back_with_huge_pages(no_pair_since_);
  back_accounts_with_huge_pages();
}

void CascadeLedger::back_accounts_with_huge_pages() const {
  // A round evaluates a few scattered accounts per 4 KiB page: with small pages each one starts
  // with a TLB miss, which the prefetch does not hide (prefetching 1, 8 or 16 accounts ahead
  // measured the same). The accounts' nodes and positions lie on the heap, mostly in id order.
  if (spots_.empty()) return;
  const char* lo = static_cast<const char*>(spots_.front().node);
  const char* hi = lo;
  for (const Spot& s : spots_) {
    const char* node = static_cast<const char*>(s.node);
    const char* positions = reinterpret_cast<const char*>(s.positions);
    lo = std::min({lo, node, positions == nullptr ? node : positions});
    hi = std::max({hi, node + sizeof(*accounts_.front()),
                   positions == nullptr ? node : positions + s.count * sizeof(Position)});
  }
  (void)strategy::cascade::back_with_huge_pages(static_cast<const void*>(lo),
                                                static_cast<const void*>(hi));
}

void CascadeLedger::note_spot(strategy::AccountId id) {
  const auto& positions = accounts_[id]->second.positions;
  spots_[id] = {accounts_[id], positions.data(), positions.size()};
}

void CascadeLedger::prefetch(std::span<const strategy::AccountId> upcoming) const {
  // The account eight ahead: its own work in between covers about one miss to memory. (Two
  // steps, the spot further ahead first, measured slower here: the spot's own miss is cheap
  // next to the node's and the positions'.)
  constexpr std::size_t kAhead = 7;
  if (upcoming.size() > kAhead) load_spot(upcoming[kAhead]);
}

void CascadeLedger::load_spot(strategy::AccountId id) const {
  if (id >= spots_.size()) return;
  // The map node (its key and the Account, a few lines), then every line of the positions.
  const Spot& spot = spots_[id];
  const char* node = static_cast<const char*>(spot.node);
  for (std::size_t at = 0; at < sizeof(*accounts_[id]); at += 64) __builtin_prefetch(node + at);
  const char* first = reinterpret_cast<const char*>(spot.positions);
  const std::size_t bytes = spot.count * sizeof(Position);
  for (std::size_t at = 0; at < bytes; at += 64) __builtin_prefetch(first + at);
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
  if (saved_[id]) {  // changed by apply(): as it stands now
    compute_health_bound(id, timestamp, out);
    return;
  }
  if (bound_memo_timestamp_ != timestamp) {
    bound_memo_.assign(accounts_.size(), {});
    bound_memo_terms_.clear();
    bound_memo_timestamp_ = timestamp;
  }
  BoundMemo& memo = bound_memo_[id];
  if (!memo.filled) {
    compute_health_bound(id, timestamp, out);
    if (out.terms.size() <= UINT16_MAX && bound_memo_terms_.size() <= UINT32_MAX) {
      memo = {static_cast<std::uint32_t>(bound_memo_terms_.size()),
              static_cast<std::uint16_t>(out.terms.size()), true, out.slack};
      bound_memo_terms_.insert(bound_memo_terms_.end(), out.terms.begin(), out.terms.end());
    }
    return;
  }
  const auto first = bound_memo_terms_.begin() + memo.offset;
  out.terms.assign(first, first + memo.count);
  out.slack = memo.slack;
}

void CascadeLedger::compute_health_bound(strategy::AccountId id, std::uint64_t timestamp,
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
  // As AaveV3Protocol::assess without limits; the health factor is computed once for every pair.
  strategy::Assessment out{Verdict::healthy, addresses_[id], std::nullopt};
  if (no_pair_still_holds(id, m)) {
    ++no_pair_reused_;
    out.verdict = Verdict::no_allowed_pair;
    return out;
  }
  forget_no_pair(id);
  const auto& [who, account] = *accounts_[id];
  // read_ is about to be this account's: an earlier assessment is no longer whole.
  assessed_.reset();
  read_.resize(account.positions.size());
  const auto data = account_data(m, account, timestamp, read_);
  if (!data || data->health_factor >= kWad) return out;
  assessed_ = Assessed{
      id, {data->total_collateral_base, data->total_debt_base, data->health_factor}, 0, 0, {}};
  const auto best =
      best_liquidation_read(m, who, account, data->health_factor, read_, timestamp, {});
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
    if (has_collateral && no_pair_holds(m, account, *data, timestamp)) remember_no_pair(id, m);
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
  if (id >= accounts_.size() || addresses_[id] != o.account)
    return tl::unexpected(std::string{"not an account of this market"});
  const Market& m = at(timestamp, prices);
  const bool assessed = assessed_ && assessed_->id == id;
  // The assessment's reserves when the opportunity is its own (two comparisons, no search).
  const auto resolve = [&](const Address& asset, std::optional<std::uint16_t> known) {
    return known && m.reserves[*known].asset == asset ? &m.reserves[*known] : m.reserve_of(asset);
  };
  const bool paired = assessed && assessed_->best.has_value();
  const auto* collateral =
      resolve(o.collateral_asset,
              paired ? std::optional<std::uint16_t>{assessed_->collateral} : std::nullopt);
  const auto* debt =
      resolve(o.debt_asset, paired ? std::optional<std::uint16_t>{assessed_->debt} : std::nullopt);
  if (collateral == nullptr || debt == nullptr)
    return tl::unexpected(std::string{"not a reserve of this market"});
  Account& account = accounts_[id]->second;
  // The outcome of the call with the opportunity's debtToCover at the prices it saw, as the Pool
  // will compute it (with the treasury's share of the collateral, which leaves the account too).
  // The assessment's own outcome is that call's when the collateral was not the limit: it asked
  // for the most the close factor allows and repaid exactly that, which the call asks again.
  // Where the collateral was the limit, the call for what it repaid is asked again; the balance
  // it took whole (the liquidator's and the treasury's shares) and the close factor's limit are
  // the assessment's, so no balance is read again.
  tl::expected<LiquidationOutcome, LiquidationError> outcome;
  const LiquidationOutcome* best =
      assessed && assessed_->best && assessed_->collateral == collateral->id &&
              assessed_->debt == debt->id && assessed_->best->debt_repaid == o.debt_to_cover
          ? &*assessed_->best
          : nullptr;
  if (best != nullptr && !best->collateral_capped) {
    outcome = *best;
  } else if (best != nullptr) {
    const u256 requested = std::min(o.debt_to_cover, best->max_liquidatable);
    outcome = collateral_for_debt(m, account, collateral->id, debt->id, requested,
                                  best->collateral_to_liquidator + best->protocol_fee);
    if (outcome) {
      outcome->health_factor = best->health_factor;
      outcome->close_factor = best->close_factor;
      outcome->max_liquidatable = best->max_liquidatable;
    }
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
  const auto income = normalized_income(*collateral, timestamp);
  const auto scaled_seized = ray_div(outcome->collateral_to_liquidator, income.value_or(kRay));
  if (outcome->debt_repaid == 0 || !scaled_seized || *scaled_seized == 0)
    return strategy::cascade::Applied{0, 0, collateral->id, debt->id};
  if (!saved_[id]) {
    originals_.push_back(
        {id, account.config, account.emode, original_positions_.size(), account.positions.size()});
    original_positions_.insert(original_positions_.end(), account.positions.begin(),
                               account.positions.end());
    saved_[id] = true;
  }
  assessed_.reset();
  forget_no_pair(id);
  // The assessment's reads, while its account's positions are still those it read.
  const auto read_of = [&](std::uint16_t reserve) -> const PositionBalances* {
    const Position* p = account.position(reserve);
    if (!assessed || p == nullptr || read_.size() != account.positions.size()) return nullptr;
    return &read_[static_cast<std::size_t>(p - account.positions.data())];
  };
  // The share's scaled amount is the burn's when it was divided by the index the burn uses.
  const LiquidationReads known{read_of(debt->id), read_of(collateral->id),
                               income ? &*scaled_seized : nullptr};
  auto ok = apply_liquidation(m, account, collateral->id, debt->id, *outcome, timestamp, known);
  note_spot(id);  // a position it had to add may have moved them
  if (!ok) return tl::unexpected(ok.error());
  return strategy::cascade::Applied{outcome->debt_repaid, outcome->collateral_to_liquidator,
                                    collateral->id, debt->id};
}

std::vector<strategy::AccountId> CascadeLedger::changed() const {
  std::vector<strategy::AccountId> out;
  out.reserve(originals_.size());
  for (const auto& o : originals_) out.push_back(o.id);
  return out;
}

void CascadeLedger::restore() {
  constexpr std::size_t kAhead = 8;  // accounts loaded ahead of the one put back (see prefetch)
  for (std::size_t k = 0; k < originals_.size(); ++k) {
    if (k + kAhead < originals_.size()) load_spot(originals_[k + kAhead].id);
    const Original& o = originals_[k];
    Account& account = accounts_[o.id]->second;
    account.config = o.config;
    account.emode = o.emode;
    const auto first = original_positions_.begin() + static_cast<std::ptrdiff_t>(o.first);
    // Into the vector it has: a liquidation only changes positions in place.
    account.positions.assign(first, first + static_cast<std::ptrdiff_t>(o.count));
    note_spot(o.id);
    saved_[o.id] = false;
  }
  originals_.clear();
  original_positions_.clear();
  assessed_.reset();
  forget_no_pairs();  // those of the accounts put back were proven on other positions
}

bool CascadeLedger::no_pair_still_holds(strategy::AccountId id, const Market& m) const {
  const std::uint32_t since = no_pair_since_[id];
  if (since == 0) return false;
  const std::size_t n = m.reserves.size();
  const u256* then = no_pair_prices_.data() + (since - 1) * n;
  if (const Uses& uses = no_pair_uses_[id]; uses.known) {
    for (std::uint64_t b = uses.borrowed; b != 0; b &= b - 1) {
      const auto r = static_cast<std::size_t>(__builtin_ctzll(b));
      if (m.reserves[r].price != then[r]) return false;
    }
    for (std::uint64_t c = uses.collateral; c != 0; c &= c - 1) {
      const auto r = static_cast<std::size_t>(__builtin_ctzll(c));
      if (m.reserves[r].price > then[r]) return false;
    }
    return true;
  }
  const Account& account = accounts_[id]->second;
  for (const Position& p : account.positions) {
    if (p.reserve >= n) return false;
    const u256& now = m.reserves[p.reserve].price;
    if (account.config.borrowing(p.reserve)) {
      if (now != then[p.reserve]) return false;
    } else if (account.config.using_as_collateral(p.reserve) && now > then[p.reserve]) {
      return false;
    }
  }
  return true;
}

void CascadeLedger::remember_no_pair(strategy::AccountId id, const Market& m) const {
  const std::size_t n = m.reserves.size();
  const auto same_as_last = [&] {
    if (no_pair_prices_.empty()) return false;
    const u256* last = no_pair_prices_.data() + no_pair_prices_.size() - n;
    for (std::size_t i = 0; i < n; ++i)
      if (last[i] != m.reserves[i].price) return false;
    return true;
  };
  if (n == 0) return;
  if (!same_as_last()) {
    // A run asks at a few dozen price vectors; a caller that never restores is kept bounded.
    constexpr std::size_t kMaxSnapshots = 4096;
    if (no_pair_prices_.size() / n >= kMaxSnapshots) forget_no_pairs();
    for (const Reserve& r : m.reserves) no_pair_prices_.push_back(r.price);
  }
  if (no_pair_since_[id] == 0) no_pair_ids_.push_back(id);
  // The same conditions as no_pair_still_holds reads from the account, position by position.
  const Account& account = accounts_[id]->second;
  Uses uses{0, 0, true};
  for (const Position& p : account.positions) {
    if (p.reserve >= n || p.reserve >= 64) {
      uses.known = false;
      break;
    }
    const std::uint64_t bit = std::uint64_t{1} << p.reserve;
    if (account.config.borrowing(p.reserve))
      uses.borrowed |= bit;
    else if (account.config.using_as_collateral(p.reserve))
      uses.collateral |= bit;
  }
  no_pair_uses_[id] = uses;
  no_pair_since_[id] = static_cast<std::uint32_t>(no_pair_prices_.size() / n);
}

void CascadeLedger::forget_no_pair(strategy::AccountId id) const { no_pair_since_[id] = 0; }

void CascadeLedger::forget_no_pairs() const {
  for (const auto id : no_pair_ids_) no_pair_since_[id] = 0;
  no_pair_ids_.clear();
  no_pair_prices_.clear();
}

}  // namespace protocols::aave_v3
