#include "strategy/cascade/simulation.hpp"

#include <algorithm>
#include <set>

namespace strategy::cascade {
namespace {

using chain::u256;
using Verdict = Assessment::Verdict;

u256 pow10(std::uint8_t n) {
  u256 out = 1;
  for (std::uint8_t i = 0; i < n; ++i) out *= 10;
  return out;
}

// The moves that take the protocol's prices to `prices`.
std::vector<PriceMove> moves_to(const LendingProtocol& protocol, const std::vector<u256>& prices) {
  std::vector<PriceMove> out;
  for (std::size_t i = 0; i < prices.size(); ++i) {
    const auto id = static_cast<AssetId>(i);
    if (protocol.price_of(id) != prices[i]) out.push_back({id, prices[i]});
  }
  return out;
}

}  // namespace

u256 value_base(const u256& amount, const u256& price, std::uint8_t decimals) {
  chain::u512 wide = chain::u512{amount} * chain::u512{price};
  wide /= chain::u512{pow10(decimals)};
  return wide > chain::u512{chain::kU256Max} ? chain::kU256Max : static_cast<u256>(wide);
}

u256 CascadeResult::total_collateral_seized_base() const {
  u256 out = 0;
  for (const auto& r : rounds) out += r.collateral_seized_base;
  return out;
}

u256 CascadeResult::total_debt_repaid_base() const {
  u256 out = 0;
  for (const auto& r : rounds) out += r.debt_repaid_base;
  return out;
}

u256 CascadeResult::final_bad_debt_base() const {
  return rounds.empty() ? u256{0} : rounds.back().bad_debt_base;
}

Cascade::Cascade(Ledger& ledger, CascadeOptions options) : ledger_{ledger}, options_{options} {
  const auto& protocol = ledger_.protocol();
  addresses_.reserve(protocol.account_count());
  protocol.for_each_account([&](const chain::Address& who) { addresses_.push_back(who); });
  ids_.reserve(addresses_.size());
  for (std::size_t i = 0; i < addresses_.size(); ++i) {
    const auto id = static_cast<AccountId>(i);
    ids_.emplace(addresses_[i], id);
    const auto form = protocol.rank_form(addresses_[i], options_.timestamp);
    book_.set(id, form.weights);
    if (form.always_exact) always_.push_back(id);
  }
}

void Cascade::refresh(const chain::Address& who) {
  const auto it = ids_.find(who);
  if (it == ids_.end()) return;
  if (!saved_.count(it->second)) {
    const auto w = book_.weights(it->second);
    saved_.emplace(it->second, std::vector<Weight>(w.begin(), w.end()));
  }
  book_.set(it->second, ledger_.protocol().rank_form(who, options_.timestamp).weights);
}

void Cascade::restore() {
  ledger_.restore();
  for (const auto& [id, weights] : saved_) book_.set(id, weights);
  saved_.clear();
  bad_.clear();
}

tl::expected<void, CascadeError> Cascade::round(Round& r, Exchange& exchange,
                                                std::vector<u256>& prices) {
  const auto& protocol = ledger_.protocol();
  const auto& assets = ledger_.assets();
  if (auto ok = exchange.follow(prices); !ok)
    return tl::unexpected(CascadeError{CascadeErrorKind::exchange, ok.error()});
  r.prices = prices;
  r.debt_repaid.assign(assets.size(), 0);
  r.collateral_seized.assign(assets.size(), 0);
  const auto moves = moves_to(protocol, prices);
  const auto rank = protocol.rank_prices(moves);

  // One ranking pass; only accounts near or under 1 go through exact math.
  book_.health_all(rank, health_);
  for (const auto id : always_) health_[id] = 0;
  std::vector<chain::Address> candidates;
  for (std::size_t i = 0; i < addresses_.size(); ++i)
    if (health_[i] < options_.band && !bad_.count(addresses_[i]))
      candidates.push_back(addresses_[i]);

  const auto assessed = protocol.assess(candidates, options_.timestamp, {}, moves);
  for (const auto& a : assessed) {
    if (a.verdict == Verdict::healthy) continue;
    Liquidation l;
    l.account = a.account;
    l.verdict = a.verdict;
    if (a.verdict != Verdict::liquidatable || !a.best) {
      const auto t = ledger_.totals(a.account, options_.timestamp, moves);
      l.health_factor = t.health_factor;
      if (a.verdict == Verdict::no_collateral) bad_.emplace(a.account, t.debt_base);
      r.accounts.push_back(std::move(l));
      continue;
    }
    const auto& o = *a.best;
    const auto coll = ledger_.asset_id(o.collateral_asset);
    const auto debt = ledger_.asset_id(o.debt_asset);
    if (!coll || !debt)
      return tl::unexpected(
          CascadeError{CascadeErrorKind::ledger, "an opportunity names an asset the ledger lacks"});
    auto applied = ledger_.apply(o, options_.timestamp, moves);
    if (!applied)
      return tl::unexpected(
          CascadeError{CascadeErrorKind::ledger, a.account.checksummed() + ": " + applied.error()});
    l.health_factor = o.health_factor;
    if (applied->collateral_seized == 0) {
      // Dust the protocol would refuse to move: it pays nothing, so nobody liquidates it.
      l.verdict = Verdict::no_bonus;
      r.accounts.push_back(std::move(l));
      continue;
    }
    refresh(a.account);
    l.collateral_asset = o.collateral_asset;
    l.debt_asset = o.debt_asset;
    l.debt_to_cover = o.debt_to_cover;
    l.debt_repaid = applied->debt_repaid;
    l.collateral_seized = applied->collateral_seized;
    const u256 seized_base = value_base(l.collateral_seized, prices[*coll], assets[*coll].decimals);
    const u256 repaid_base = value_base(l.debt_repaid, prices[*debt], assets[*debt].decimals);
    l.bonus_base = seized_base > repaid_base ? seized_base - repaid_base : u256{0};
    r.collateral_seized[*coll] += l.collateral_seized;
    r.debt_repaid[*debt] += l.debt_repaid;
    r.collateral_seized_base += seized_base;
    r.debt_repaid_base += repaid_base;
    r.bonus_base += l.bonus_base;
    ++r.liquidated;
    r.accounts.push_back(std::move(l));
  }
  std::sort(r.accounts.begin(), r.accounts.end(), [](const Liquidation& a, const Liquidation& b) {
    return a.health_factor != b.health_factor ? a.health_factor < b.health_factor
                                              : a.account < b.account;
  });

  // The liquidators sell what they seized; the oracle follows.
  for (std::size_t i = 0; i < assets.size(); ++i) {
    if (r.collateral_seized[i] == 0) continue;
    auto sale = exchange.sell(static_cast<AssetId>(i), r.collateral_seized[i], prices);
    if (!sale) return tl::unexpected(CascadeError{CascadeErrorKind::exchange, sale.error()});
    prices[i] = sale->price_after;
    r.sales.push_back(std::move(*sale));
  }
  r.prices_after = prices;

  // Bad debt: accounts whose collateral the round took entirely, and those that had none.
  const auto after = moves_to(protocol, prices);
  for (const auto& l : r.accounts) {
    if (l.verdict != Verdict::liquidatable) continue;
    const auto t = ledger_.totals(l.account, options_.timestamp, after);
    if (t.collateral_base == 0 && t.debt_base != 0) bad_.emplace(l.account, t.debt_base);
  }
  r.bad_debt_accounts = bad_.size();
  for (const auto& [who, debt] : bad_) r.bad_debt_base += debt;
  return {};
}

tl::expected<CascadeResult, CascadeError> Cascade::run(const Shock& shock, const Exchange& start) {
  const auto& protocol = ledger_.protocol();
  const auto address = protocol.asset_by_symbol(shock.symbol);
  const auto id = address ? ledger_.asset_id(*address) : std::nullopt;
  if (!id) {
    std::string known;
    for (const auto& a : ledger_.assets()) known += (known.empty() ? "" : ", ") + a.symbol;
    return tl::unexpected(
        CascadeError{CascadeErrorKind::unknown_asset,
                     "unknown asset '" + shock.symbol + "' (this market has " + known + ")"});
  }
  std::vector<u256> prices(ledger_.assets().size());
  for (std::size_t i = 0; i < prices.size(); ++i)
    prices[i] = protocol.price_of(static_cast<AssetId>(i));
  prices[*id] = shocked_price(prices[*id], shock.basis_points);

  CascadeResult out;
  out.shock = shock;
  auto exchange = start.clone();
  tl::expected<void, CascadeError> failed{};
  for (std::size_t n = 0; n < options_.max_rounds; ++n) {
    Round r;
    failed = round(r, *exchange, prices);
    if (!failed) break;
    const bool fell = r.liquidated != 0;
    if (fell || n == 0) out.rounds.push_back(std::move(r));
    if (!fell) {
      out.settled = true;
      break;
    }
  }
  restore();
  if (!failed) return tl::unexpected(failed.error());
  return out;
}

}  // namespace strategy::cascade
