#include "protocols/aave_v3/cascade_ledger.hpp"

#include <algorithm>

#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/account_weights.hpp"
#include "protocols/aave_v3/health_bound.hpp"
#include "protocols/aave_v3/liquidation.hpp"
#include "protocols/aave_v3/opportunity.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"
#include "strategy/cascade/huge_pages.hpp"

namespace protocols::aave_v3 {
namespace {

using chain::u256;

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
  no_pairs_.resize(accounts_.size());
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
    no_pairs_.forget_all();  // proven at other indexes
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
  no_pairs_.back_with_huge_pages();
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
    linear_health_bound(at(timestamp, {}), accounts_[id]->second, timestamp, out);
    return;
  }
  if (bound_memo_timestamp_ != timestamp) {
    bound_memo_.assign(accounts_.size(), {});
    bound_memo_terms_.clear();
    bound_memo_timestamp_ = timestamp;
  }
  BoundMemo& memo = bound_memo_[id];
  if (!memo.filled) {
    linear_health_bound(at(timestamp, {}), accounts_[id]->second, timestamp, out);
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

strategy::Assessment CascadeLedger::assess(strategy::AccountId id, std::uint64_t timestamp,
                                           std::span<const u256> prices) const {
  using Verdict = strategy::Assessment::Verdict;
  const Market& m = at(timestamp, prices);
  // As AaveV3Protocol::assess without limits; the health factor is computed once for every pair.
  strategy::Assessment out{Verdict::healthy, addresses_[id], std::nullopt};
  if (no_pairs_.holds(id, m, accounts_[id]->second)) {
    ++no_pair_reused_;
    out.verdict = Verdict::no_allowed_pair;
    return out;
  }
  no_pairs_.forget(id);
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
    if (has_collateral && no_pair_holds(m, account, *data, timestamp))
      no_pairs_.remember(id, m, account);
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
  no_pairs_.forget(id);
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
  no_pairs_.forget_all();  // those of the accounts put back were proven on other positions
}

}  // namespace protocols::aave_v3
