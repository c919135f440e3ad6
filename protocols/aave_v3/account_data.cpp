#include "protocols/aave_v3/account_data.hpp"

#include "chain/uint256_words.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"

namespace protocols::aave_v3 {
namespace {

using chain::u256;

tl::expected<u256, MathError> need(std::optional<u256> v) {
  if (!v) return tl::unexpected(MathError::overflow);
  return *v;
}

}  // namespace

std::string_view describe(MathError e) noexcept {
  switch (e) {
    case MathError::overflow: return "arithmetic overflow (the Pool would revert)";
    case MathError::unknown_reserve: return "account refers to a reserve the market does not know";
  }
  return "unknown math error";
}

tl::expected<u256, MathError> normalized_income(const Reserve& r, std::uint64_t timestamp) {
  if (timestamp == r.last_update) return r.liquidity_index;
  auto factor = need(linear_interest(r.liquidity_rate, r.last_update, timestamp));
  if (!factor) return factor;
  return need(ray_mul(*factor, r.liquidity_index));
}

tl::expected<u256, MathError> normalized_debt(const Reserve& r, std::uint64_t timestamp) {
  if (timestamp == r.last_update) return r.variable_borrow_index;
  auto factor = need(compounded_interest(r.variable_borrow_rate, r.last_update, timestamp));
  if (!factor) return factor;
  return need(ray_mul(*factor, r.variable_borrow_index));
}

tl::expected<u256, MathError> a_token_balance(const Reserve& r, const Position& p,
                                              std::uint64_t timestamp) {
  auto income = normalized_income(r, timestamp);
  if (!income) return income;
  if (p.scaled_a_token == 0) return u256{0};  // what rayMul gives, without the product
  return need(ray_mul(p.scaled_a_token, *income));
}

tl::expected<u256, MathError> variable_debt_balance(const Reserve& r, const Position& p,
                                                    std::uint64_t timestamp) {
  if (p.scaled_variable_debt == 0) return u256{0};
  auto index = normalized_debt(r, timestamp);
  if (!index) return index;
  return need(ray_mul(p.scaled_variable_debt, *index));
}

tl::expected<u256, MathError> stable_debt_balance(const Position& p, std::uint64_t timestamp) {
  if (p.stable_principal == 0) return u256{0};
  auto factor = need(compounded_interest(p.stable_rate, p.stable_last_update, timestamp));
  if (!factor) return factor;
  return need(ray_mul(p.stable_principal, *factor));
}

const u256& effective_price(const Market& m, const Reserve& r, std::uint8_t emode) {
  if (emode != 0 && r.config.emode_category == emode) {
    const auto it = m.emodes.find(emode);
    if (it != m.emodes.end() && it->second.price != 0) return it->second.price;
  }
  return r.price;
}

tl::expected<AccountData, MathError> account_data(const Market& market, const Account& account,
                                                  std::uint64_t timestamp) {
  return account_data(market, account, timestamp, {});
}

tl::expected<AccountData, MathError> account_data(const Market& market, const Account& account,
                                                  std::uint64_t timestamp,
                                                  std::span<PositionBalances> read) {
  const bool record = read.size() == account.positions.size();
  for (auto& r : read) r.collateral_read = r.debt_read = false;
  AccountData out;
  if (account.config.empty()) {
    out.health_factor = chain::kU256Max;
    return out;
  }
  const EModeCategory* emode = nullptr;
  if (account.emode != 0) {
    const auto it = market.emodes.find(account.emode);
    if (it != market.emodes.end()) emode = &it->second;
  }
  u256 avg_ltv = 0;
  u256 avg_threshold = 0;
  // Position by position (sorted by reserve, as the Pool walks its reserves list): a reserve the
  // configuration names without a position has no balance and would add 0 to every sum.
  for (std::size_t k = 0; k < account.positions.size(); ++k) {
    const Position& position = account.positions[k];
    if (position.reserve >= market.reserves.size()) continue;
    const Reserve& r = market.reserves[position.reserve];
    const bool collateral = account.config.using_as_collateral(r.id);
    const bool borrowing = account.config.borrowing(r.id);
    if (!collateral && !borrowing) continue;
    const Position* p = &position;
    const u256 unit = pow10(r.config.decimals);
    const u256& price = effective_price(market, r, account.emode);

    if (r.config.liquidation_threshold != 0 && collateral) {
      auto balance = a_token_balance(r, *p, timestamp);
      if (!balance) return tl::unexpected(balance.error());
      if (record) {
        read[k].a_token = *balance;
        read[k].collateral_read = true;
      }
      auto value = need(chain::checked_mul(*balance, price));
      if (!value) return tl::unexpected(value.error());
      const u256 in_base = chain::div(*value, unit);
      auto total = need(chain::checked_add(out.total_collateral_base, in_base));
      if (!total) return tl::unexpected(total.error());
      out.total_collateral_base = *total;
      const bool in_emode = emode != nullptr && account.emode == r.config.emode_category;
      const u256 ltv{in_emode ? emode->ltv : r.config.ltv};
      const u256 threshold{in_emode ? emode->liquidation_threshold
                                    : r.config.liquidation_threshold};
      if (r.config.ltv != 0) {
        auto add = need(chain::checked_mul(in_base, ltv));
        if (!add) return tl::unexpected(add.error());
        auto sum = need(chain::checked_add(avg_ltv, *add));
        if (!sum) return tl::unexpected(sum.error());
        avg_ltv = *sum;
      }
      auto add = need(chain::checked_mul(in_base, threshold));
      if (!add) return tl::unexpected(add.error());
      auto sum = need(chain::checked_add(avg_threshold, *add));
      if (!sum) return tl::unexpected(sum.error());
      avg_threshold = *sum;
    }
    if (borrowing) {
      auto variable = variable_debt_balance(r, *p, timestamp);
      if (!variable) return tl::unexpected(variable.error());
      auto stable = stable_debt_balance(*p, timestamp);
      if (!stable) return tl::unexpected(stable.error());
      if (record) {
        read[k].variable_debt = *variable;
        read[k].stable_debt = *stable;
        read[k].debt_read = true;
      }
      auto debt = need(chain::checked_add(*variable, *stable));
      if (!debt) return tl::unexpected(debt.error());
      auto value = need(chain::checked_mul(price, *debt));
      if (!value) return tl::unexpected(value.error());
      auto total = need(chain::checked_add(out.total_debt_base, chain::div(*value, unit)));
      if (!total) return tl::unexpected(total.error());
      out.total_debt_base = *total;
    }
  }
  if (out.total_collateral_base != 0) {
    out.ltv = chain::div(avg_ltv, out.total_collateral_base);
    out.current_liquidation_threshold = chain::div(avg_threshold, out.total_collateral_base);
  }
  if (out.total_debt_base == 0) {
    out.health_factor = chain::kU256Max;
  } else {
    auto weighted = need(percent_mul(out.total_collateral_base, out.current_liquidation_threshold));
    if (!weighted) return tl::unexpected(weighted.error());
    auto hf = need(wad_div(*weighted, out.total_debt_base));
    if (!hf) return tl::unexpected(hf.error());
    out.health_factor = *hf;
  }
  auto borrowable = need(percent_mul(out.total_collateral_base, out.ltv));
  if (!borrowable) return tl::unexpected(borrowable.error());
  out.available_borrows_base =
      *borrowable > out.total_debt_base ? *borrowable - out.total_debt_base : u256{0};
  return out;
}

}  // namespace protocols::aave_v3
