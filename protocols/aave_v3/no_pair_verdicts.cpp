#include "protocols/aave_v3/no_pair_verdicts.hpp"

#include "protocols/aave_v3/liquidation.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"
#include "strategy/cascade/huge_pages.hpp"

namespace protocols::aave_v3 {

using chain::u256;

// See the header for why each condition suffices.
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

void NoPairVerdicts::resize(std::size_t accounts) {
  since_.assign(accounts, 0);
  uses_.assign(accounts, {});
  prices_.clear();
  ids_.clear();
}

bool NoPairVerdicts::holds(strategy::AccountId id, const Market& m, const Account& account) const {
  const std::uint32_t since = since_[id];
  if (since == 0) return false;
  const std::size_t n = m.reserves.size();
  const u256* then = prices_.data() + (since - 1) * n;
  if (const Uses& uses = uses_[id]; uses.known) {
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

void NoPairVerdicts::remember(strategy::AccountId id, const Market& m, const Account& account) {
  const std::size_t n = m.reserves.size();
  const auto same_as_last = [&] {
    if (prices_.empty()) return false;
    const u256* last = prices_.data() + prices_.size() - n;
    for (std::size_t i = 0; i < n; ++i)
      if (last[i] != m.reserves[i].price) return false;
    return true;
  };
  if (n == 0) return;
  if (!same_as_last()) {
    // A run asks at a few dozen price vectors; a caller that never forgets is kept bounded.
    constexpr std::size_t kMaxSnapshots = 4096;
    if (prices_.size() / n >= kMaxSnapshots) forget_all();
    for (const Reserve& r : m.reserves) prices_.push_back(r.price);
  }
  if (since_[id] == 0) ids_.push_back(id);
  // The same conditions as holds() reads from the account, position by position.
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
  uses_[id] = uses;
  since_[id] = static_cast<std::uint32_t>(prices_.size() / n);
}

void NoPairVerdicts::forget_all() {
  for (const auto id : ids_) since_[id] = 0;
  ids_.clear();
  prices_.clear();
}

void NoPairVerdicts::back_with_huge_pages() const {
  (void)strategy::cascade::back_with_huge_pages(uses_);
  (void)strategy::cascade::back_with_huge_pages(since_);
}

}  // namespace protocols::aave_v3
