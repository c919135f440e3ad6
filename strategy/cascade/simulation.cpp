#include "strategy/cascade/simulation.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "chain/uint256_words.hpp"
#include "strategy/cascade/huge_pages.hpp"

namespace strategy::cascade {
namespace {

using chain::u256;
using Verdict = Assessment::Verdict;

u256 pow10(std::uint8_t n) {
  static const std::array<u256, 78> table = [] {
    std::array<u256, 78> out{};
    out[0] = 1;
    for (std::size_t i = 1; i < out.size(); ++i) out[i] = out[i - 1] * 10;
    return out;
  }();
  if (n < table.size()) return table[n];
  u256 out = table.back();
  for (std::size_t i = table.size() - 1; i < n; ++i) out *= 10;  // wraps past 10^77
  return out;
}

// Lowest health factor first, then by address: a total order (an account is listed once a
// round), so the result is the same whatever the sort. By index, then moved into place along
// the permutation's cycles: a Liquidation is hundreds of bytes, which sorting in place would move
// about log n times each, and a sorted copy would cost as much fresh memory as the round's list.
void sort_listed(std::vector<Liquidation>& accounts, std::size_t first) {
  const std::size_t n = accounts.size() - first;
  Liquidation* a = accounts.data() + first;
  std::vector<std::size_t> order(n);  // order[i]: the entry that goes to i
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return a[x].health_factor != a[y].health_factor ? a[x].health_factor < a[y].health_factor
                                                    : a[x].account < a[y].account;
  });
  for (std::size_t i = 0; i < n; ++i) {
    if (order[i] == i) continue;  // in place, or placed by an earlier cycle
    Liquidation held = std::move(a[i]);
    std::size_t j = i;
    while (order[j] != i) {
      const std::size_t k = order[j];
      a[j] = std::move(a[k]);
      order[j] = j;
      j = k;
    }
    a[j] = std::move(held);
    order[j] = j;
  }
}

}  // namespace

u256 value_base(const u256& amount, const u256& price, std::uint8_t decimals) {
  if (amount == 0 || price == 0) return 0;
  const u256 unit = pow10(decimals);
  // Within 256 bits the product needs no widening (and no 512-bit division).
  if (msb(amount) + msb(price) + 2 <= 256) return chain::mul_div(amount, price, unit);
  chain::u512 wide = chain::u512{amount} * chain::u512{price};
  wide /= chain::u512{unit};
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
  const std::size_t n = ledger_.account_count();
  slots_.resize(n);
  slack_.resize(n);
  dense_.reset(n, ledger_.assets().size());
  // Room for a few terms per account up front: growing by doubling would copy the terms and
  // touch fresh pages for every copy (each first touch of a page costs more than its terms).
  terms_.reserve(4 * n);
  // Every round streams the bounds: in 2 MiB pages, a few TLB entries cover them.
  (void)back_with_huge_pages(terms_);
  (void)back_with_huge_pages(slots_);
  (void)back_with_huge_pages(slack_);
  std::array<AccountId, 16> upcoming{};
  for (std::size_t i = 0; i < n; ++i) {
    const auto id = static_cast<AccountId>(i);
    const std::size_t ahead = std::min(upcoming.size(), n - i - 1);
    for (std::size_t k = 0; k < ahead; ++k) upcoming[k] = static_cast<AccountId>(i + 1 + k);
    ledger_.prefetch(std::span<const AccountId>{upcoming.data(), ahead});
    ledger_.health_bound(id, options_.timestamp, scratch_);
    store(id, scratch_);
  }
  bound_saved_.assign(n, false);
  is_bad_.assign(n, 0);
}

void Cascade::store(AccountId id, const HealthBound& bound) {
  Slot& slot = slots_[id];
  // An account's terms are its positions', which liquidations only shrink: in place, except for
  // a ledger whose terms grew, whose slot moves to the end (the old one is left unused).
  const auto count =
      static_cast<std::uint16_t>(std::min<std::size_t>(bound.terms.size(), UINT16_MAX));
  if (count > slot.capacity) {
    slot.offset = static_cast<std::uint32_t>(terms_.size());
    slot.capacity = count;
    terms_.resize(terms_.size() + count);
  }
  std::copy_n(bound.terms.begin(), count, terms_.begin() + slot.offset);
  slot.count = count;
  // A bound cut short cannot prove anything.
  slack_[id] = count == bound.terms.size() ? bound.slack : std::numeric_limits<double>::infinity();
  store_row(id);
}

void Cascade::store_row(AccountId id) {
  if (!dense_.enabled()) return;
  const Slot s = slots_[id];
  // A term of an asset the rows lack: may_fall says "may fall", so must the filter.
  if (!dense_.write(id, {terms_.data() + s.offset, s.count}))
    slack_[id] = std::numeric_limits<double>::infinity();
}

bool Cascade::may_fall(AccountId id) const noexcept {
  const Slot s = slots_[id];
  const BoundTerm* t = terms_.data() + s.offset;
  double sum = 0.0;
  for (std::uint16_t k = 0; k < s.count; ++k) {
    if (t[k].asset >= price_doubles_.size()) return true;
    sum += t[k].coefficient * price_doubles_[t[k].asset];
  }
  // Not `sum < slack`: a NaN (a price or a term out of range) must not prove health.
  return !(sum >= slack_[id]);
}

void Cascade::refresh(AccountId id) {
  if (!bound_saved_[id]) {
    const Slot s = slots_[id];
    saved_.push_back({id, s, slack_[id], saved_terms_.size()});
    saved_terms_.insert(saved_terms_.end(), terms_.begin() + s.offset,
                        terms_.begin() + s.offset + s.count);
    bound_saved_[id] = true;
  }
  ledger_.health_bound(id, options_.timestamp, scratch_);
  store(id, scratch_);
}

void Cascade::mark_bad(AccountId id, const u256& debt_base) {
  if (is_bad_[id] != 0) return;
  is_bad_[id] = 1;
  bad_.emplace_back(id, debt_base);
}

void Cascade::restore() {
  ledger_.restore();
  for (const auto& saved : saved_) {
    Slot& slot = slots_[saved.id];
    slot = saved.slot;
    std::copy_n(saved_terms_.begin() + static_cast<std::ptrdiff_t>(saved.first), slot.count,
                terms_.begin() + slot.offset);
    slack_[saved.id] = saved.slack;
    store_row(saved.id);
    bound_saved_[saved.id] = false;
  }
  saved_.clear();
  saved_terms_.clear();
  for (const auto& [id, debt] : bad_) is_bad_[id] = 0;
  bad_.clear();
}

void Cascade::list(Round& r, Liquidation&& l) const {
  if (options_.list_accounts) r.accounts.push_back(std::move(l));
}

tl::expected<void, CascadeError> Cascade::round(Round& r, Exchange& exchange,
                                                std::vector<u256>& prices) {
  const auto& assets = ledger_.assets();
  if (auto ok = exchange.follow(prices); !ok)
    return tl::unexpected(CascadeError{CascadeErrorKind::exchange, ok.error()});
  r.prices = prices;
  r.debt_repaid.assign(assets.size(), 0);
  r.collateral_seized.assign(assets.size(), 0);
  price_doubles_.resize(prices.size());
  for (std::size_t i = 0; i < prices.size(); ++i) price_doubles_[i] = chain::to_double(prices[i]);

  // One pass of the bounds; only accounts they cannot prove healthy go through exact math.
  candidates_.clear();
  if (dense_.enabled() && !options_.exact_all) {
    dense_.candidates(price_doubles_, slack_, is_bad_, candidates_);
  } else {
    const std::size_t n = slots_.size();
    // Without a branch on the verdict, which no predictor guesses (accounts that may fall are
    // scattered): every id is written, and the end moves past those that may fall.
    candidates_.resize(n);
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto id = static_cast<AccountId>(i);
      candidates_[count] = id;
      count += static_cast<std::size_t>(is_bad_[i] == 0 && (options_.exact_all || may_fall(id)));
    }
    candidates_.resize(count);
  }
  r.evaluated = candidates_.size();

  const std::size_t first = r.accounts.size();
  if (options_.list_accounts) r.accounts.reserve(first + candidates_.size());
  liquidated_.clear();
  const std::span<const AccountId> all{candidates_};
  for (std::size_t k = 0; k < all.size(); ++k) {
    ledger_.prefetch(all.subspan(k + 1));
    const AccountId id = all[k];
    auto a = ledger_.assess(id, options_.timestamp, prices);
    if (a.verdict == Verdict::healthy) continue;
    ++r.under_one;
    Liquidation l;
    l.account = a.account;
    l.id = id;
    l.verdict = a.verdict;
    if (a.verdict != Verdict::liquidatable || !a.best) {
      // Its health factor is for the listing only; bad debt is counted either way.
      if (options_.list_accounts || a.verdict == Verdict::no_collateral) {
        const auto t = ledger_.totals(id, options_.timestamp, prices);
        l.health_factor = t.health_factor;
        if (a.verdict == Verdict::no_collateral) mark_bad(id, t.debt_base);
      }
      list(r, std::move(l));
      continue;
    }
    const auto& o = *a.best;
    auto applied = ledger_.apply(id, o, options_.timestamp, prices);
    if (!applied)
      return tl::unexpected(
          CascadeError{CascadeErrorKind::ledger, a.account.checksummed() + ": " + applied.error()});
    const AssetId coll = applied->collateral;
    const AssetId debt = applied->debt;
    if (coll >= assets.size() || debt >= assets.size())
      return tl::unexpected(
          CascadeError{CascadeErrorKind::ledger, "the ledger applied an asset it does not list"});
    l.health_factor = o.health_factor;
    if (applied->collateral_seized == 0) {
      // Dust the protocol would refuse to move: it pays nothing, so nobody liquidates it.
      l.verdict = Verdict::no_bonus;
      list(r, std::move(l));
      continue;
    }
    refresh(id);
    l.collateral_asset = o.collateral_asset;
    l.debt_asset = o.debt_asset;
    l.debt_to_cover = o.debt_to_cover;
    l.debt_repaid = applied->debt_repaid;
    l.collateral_seized = applied->collateral_seized;
    const u256 seized_base = value_base(l.collateral_seized, prices[coll], assets[coll].decimals);
    const u256 repaid_base = value_base(l.debt_repaid, prices[debt], assets[debt].decimals);
    l.bonus_base = seized_base > repaid_base ? seized_base - repaid_base : u256{0};
    r.collateral_seized[coll] += l.collateral_seized;
    r.debt_repaid[debt] += l.debt_repaid;
    r.collateral_seized_base += seized_base;
    r.debt_repaid_base += repaid_base;
    r.bonus_base += l.bonus_base;
    ++r.liquidated;
    liquidated_.push_back(id);
    list(r, std::move(l));
  }
  if (options_.list_accounts) sort_listed(r.accounts, first);

  // The liquidators sell what they seized; the oracle follows.
  for (std::size_t i = 0; i < assets.size(); ++i) {
    if (r.collateral_seized[i] == 0) continue;
    auto sale = exchange.sell(static_cast<AssetId>(i), r.collateral_seized[i], prices);
    if (!sale) return tl::unexpected(CascadeError{CascadeErrorKind::exchange, sale.error()});
    prices[i] = sale->price_after;
    r.sales.push_back(std::move(*sale));
  }
  r.prices_after = prices;

  // Bad debt: accounts whose collateral the round took entirely, and those that had none. The
  // bound (refreshed after the liquidation) rules out most without exact math: a collateral term
  // worth two base units or more at the new prices (its coefficient is the balance's value times
  // a threshold under 1, and a double's error is 1e-15) leaves a total that is not nothing. An
  // account without a bound (infinite slack) is always looked at exactly.
  for (std::size_t i = 0; i < prices.size(); ++i) price_doubles_[i] = chain::to_double(prices[i]);
  for (const auto id : liquidated_) {
    bool some_left = false;
    if (slack_[id] != std::numeric_limits<double>::infinity()) {
      const Slot s = slots_[id];
      for (std::uint32_t k = s.offset; k < s.offset + s.count; ++k)
        some_left |= terms_[k].coefficient > 0 && terms_[k].asset < price_doubles_.size() &&
                     terms_[k].coefficient * price_doubles_[terms_[k].asset] >= 2.0;
    }
    if (some_left) continue;
    const auto t = ledger_.totals(id, options_.timestamp, prices);
    if (t.collateral_base == 0 && t.debt_base != 0) mark_bad(id, t.debt_base);
  }
  r.bad_debt_accounts = bad_.size();
  for (const auto& [id, debt] : bad_) r.bad_debt_base += debt;
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
