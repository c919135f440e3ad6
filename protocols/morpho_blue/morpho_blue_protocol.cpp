#include "protocols/morpho_blue/morpho_blue_protocol.hpp"

#include <algorithm>
#include <cmath>

#include "protocols/morpho_blue/calldata.hpp"
#include "protocols/morpho_blue/events.hpp"
#include "protocols/morpho_blue/liquidator_call.hpp"

namespace protocols::morpho_blue {
namespace {

using strategy::Assessment;
using strategy::ProtocolError;
using strategy::ProtocolErrorKind;
using Verdict = strategy::Assessment::Verdict;

const u256 kUsdUnit{100'000'000};  // the base currency: US dollars with 8 decimals

u256 pow10(unsigned n) {
  u256 out = 1;
  for (unsigned i = 0; i < n; ++i) out *= 10;
  return out;
}

}  // namespace

tl::expected<strategy::BlockUpdate, ProtocolError> MorphoBlueProtocol::advance(
    const chain::rpc::BlockHeader& head) {
  auto update = book_.advance(head.number, head.timestamp);
  if (!update) return tl::unexpected(ProtocolError{ProtocolErrorKind::transient, update.error()});
  strategy::BlockUpdate out;
  out.from = update->from;
  out.to = update->to;
  out.logs = update->logs;
  out.accounts_refreshed = update->touched.size();
  out.accounts_new = update->accounts_new;
  out.touched = std::move(update->touched);
  out.events = std::move(update->events);
  return out;
}

tl::expected<std::optional<chain::rpc::LogFilter>, ProtocolError>
MorphoBlueProtocol::follow_price_sources(std::uint64_t) {
  std::vector<chain::Address> emitters;
  for (const auto& a : book_.assets())
    if (a.emitter && std::find(emitters.begin(), emitters.end(), *a.emitter) == emitters.end())
      emitters.push_back(*a.emitter);
  if (emitters == followed_emitters_) return std::nullopt;
  followed_emitters_ = emitters;
  chain::rpc::LogFilter filter;
  filter.addresses = std::move(emitters);
  filter.topics = {{answer_updated_topic()}};
  return filter;
}

std::size_t MorphoBlueProtocol::asset_count() const noexcept { return book_.assets().size(); }

std::vector<u256> MorphoBlueProtocol::answers_with(
    std::span<const strategy::PriceMove> moves) const {
  std::vector<u256> answers;
  answers.reserve(book_.assets().size());
  for (const auto& a : book_.assets()) answers.push_back(a.answer);
  for (const auto& m : moves)
    if (m.asset < answers.size()) answers[m.asset] = m.price;
  return answers;
}

std::vector<double> MorphoBlueProtocol::rank_prices(
    std::span<const strategy::PriceMove> moves) const {
  std::vector<double> out;
  for (const auto& a : answers_with(moves)) out.push_back(chain::to_double(a));
  return out;
}

void MorphoBlueProtocol::for_each_account(
    const std::function<void(const chain::Address&)>& visit) const {
  for (const auto& [who, markets] : book_.accounts()) visit(who);
}

std::size_t MorphoBlueProtocol::account_count() const noexcept { return book_.accounts().size(); }

std::vector<MorphoBlueProtocol::PositionView> MorphoBlueProtocol::positions_of(
    const chain::Address& account, std::uint64_t timestamp,
    std::span<const strategy::PriceMove> moves) const {
  std::vector<PositionView> out;
  const auto it = book_.accounts().find(account);
  if (it == book_.accounts().end()) return out;
  const auto answers = moves.empty() ? std::vector<u256>{} : answers_with(moves);
  for (const auto index : it->second) {
    const BookMarket& m = book_.markets()[index];
    const auto p = m.state.positions.find(account);
    if (p == m.state.positions.end()) continue;
    PositionView v;
    v.market = &m;
    v.position = p->second;
    v.totals = m.state.totals;
    v.earliest_totals = m.state.totals;
    accrue_interest(v.totals, m.state.borrow_rate, timestamp, !m.state.params.irm.is_zero());
    accrue_interest(v.earliest_totals, m.state.borrow_rate, std::min(timestamp, book_.timestamp()),
                    !m.state.params.irm.is_zero());
    v.price = m.state.price;
    if (!moves.empty() && m.oracle_form)
      v.price = oracle_price(*m.oracle_form, answers).value_or(m.state.price);
    v.health = health(v.totals, v.position, m.state.params.lltv, v.price);
    out.push_back(v);
  }
  return out;
}

strategy::RankForm MorphoBlueProtocol::rank_form(const chain::Address& account,
                                                 std::uint64_t timestamp) const {
  strategy::RankForm form;
  std::size_t with_debt = 0;
  for (const auto& v : positions_of(account, timestamp)) {
    if (v.position.borrow_shares == 0) continue;
    ++with_debt;
    const auto& c = book_.assets()[v.market->collateral_asset];
    const auto& l = book_.assets()[v.market->loan_asset];
    // Only a market priced through feeds ranks by the feeds' prices.
    if (!v.market->oracle_form || c.answer == 0 || l.answer == 0) form.always_exact = true;
    const double lltv = chain::to_double(v.market->state.params.lltv) / 1e18;
    form.weights.push_back({static_cast<strategy::AssetId>(v.market->collateral_asset), false,
                            chain::to_double(v.position.collateral) * lltv /
                                std::pow(10.0, static_cast<double>(c.decimals))});
    form.weights.push_back(
        {static_cast<strategy::AssetId>(v.market->loan_asset), true,
         chain::to_double(v.health.borrowed) / std::pow(10.0, static_cast<double>(l.decimals))});
  }
  // Health is per market: one linear form cannot rank positions in two markets together.
  if (with_debt > 1) form.always_exact = true;
  return form;
}

chain::u256 MorphoBlueProtocol::price_of(strategy::AssetId asset) const {
  return asset < book_.assets().size() ? book_.assets()[asset].answer : u256{0};
}

std::optional<std::vector<strategy::PriceMove>> MorphoBlueProtocol::decode_price_log(
    const chain::rpc::Log& log) const {
  if (log.removed || log.topics.size() < 2 || log.topics[0] != answer_updated_topic())
    return std::nullopt;
  return price_moves_for_answer(log.address, chain::from_be(log.topics[1]).value_or(0));
}

std::optional<std::vector<strategy::PriceMove>> MorphoBlueProtocol::price_moves_for_answer(
    const chain::Address& aggregator, const chain::u256& answer) const {
  bool ours = false;
  std::vector<strategy::PriceMove> moves;
  const bool negative = (answer >> 255) != 0;
  const auto& assets = book_.assets();
  for (std::size_t i = 0; i < assets.size(); ++i) {
    if (!assets[i].emitter || *assets[i].emitter != aggregator) continue;
    ours = true;
    // Morpho's oracle refuses a negative answer: leave that to the head's read.
    if (negative || answer == 0 || assets[i].answer == answer) continue;
    moves.push_back({static_cast<strategy::AssetId>(i), answer});
  }
  if (!ours) return std::nullopt;
  return moves;
}

u256 MorphoBlueProtocol::usd_value(std::size_t asset, const u256& amount) const {
  if (asset >= book_.assets().size()) return 0;
  const auto& a = book_.assets()[asset];
  if (a.answer == 0) return 0;
  return mul_div_down(mul_div_down(amount, a.answer, pow10(a.decimals)), kUsdUnit,
                      pow10(a.feed_decimals));
}

std::vector<Assessment> MorphoBlueProtocol::assess(
    std::span<const chain::Address> accounts, std::uint64_t timestamp,
    const strategy::LiquidationLimits& limits, std::span<const strategy::PriceMove> moves) const {
  std::vector<Assessment> out;
  for (const auto& who : accounts) {
    if (book_.accounts().find(who) == book_.accounts().end()) continue;
    Assessment a{Verdict::healthy, who, std::nullopt};
    bool unhealthy = false, collateral_left = false, allowed = false;
    for (const auto& v : positions_of(who, timestamp, moves)) {
      if (v.position.borrow_shares == 0 || v.health.healthy()) continue;
      unhealthy = true;
      const auto& params = v.market->state.params;
      if (v.position.collateral != 0) collateral_left = true;
      const auto permitted = [&](const chain::Address& token) {
        return (limits.allow_assets.empty() || limits.allow_assets.count(token) != 0) &&
               limits.deny_assets.count(token) == 0;
      };
      if (!permitted(params.loan_token) || !permitted(params.collateral_token)) continue;
      u256 max_repaid = chain::kU256Max;
      if (limits.max_debt_amount != nullptr) {
        const auto it = limits.max_debt_amount->find(params.loan_token);
        max_repaid = it != limits.max_debt_amount->end() ? it->second : u256{0};
      }
      if (limits.max_debt_to_cover_base != 0) {
        const u256 one_unit_usd =
            usd_value(v.market->loan_asset, pow10(book_.assets()[v.market->loan_asset].decimals));
        if (one_unit_usd != 0) {
          const u256 cap =
              mul_div_down(limits.max_debt_to_cover_base,
                           pow10(book_.assets()[v.market->loan_asset].decimals), one_unit_usd);
          max_repaid = std::min(max_repaid, cap);
        }
      }
      const u256 upper = max_seizable(v.totals, v.position, params.lltv, v.price);
      const auto seizure = largest_seizure(v.totals, v.earliest_totals, v.position, params.lltv,
                                           v.price, upper, max_repaid);
      if (!seizure) continue;
      allowed = true;
      const auto& [seized, outcome] = *seizure;
      const u256 value = mul_div_down(seized, v.price, kOraclePriceScale);  // in loan units
      if (value <= outcome.repaid_assets) {
        if (!a.best && a.verdict != Verdict::liquidatable) a.verdict = Verdict::no_bonus;
        continue;
      }
      const u256 profit = usd_value(v.market->loan_asset, value - outcome.repaid_assets);
      if (a.best && a.best->gross_profit_base >= profit) continue;
      a.verdict = Verdict::liquidatable;
      a.best = strategy::Opportunity{who,
                                     params.collateral_token,
                                     params.loan_token,
                                     outcome.repaid_assets,
                                     outcome.repaid_assets,
                                     seized,
                                     morpho_blue::health_factor(v.health),
                                     profit,
                                     book_.assets()[v.market->collateral_asset].symbol + "/" +
                                         book_.assets()[v.market->loan_asset].symbol};
    }
    if (unhealthy && !a.best && a.verdict != Verdict::no_bonus)
      a.verdict = !collateral_left ? Verdict::no_collateral
                  : !allowed       ? Verdict::no_allowed_pair
                                   : Verdict::no_bonus;
    out.push_back(std::move(a));
  }
  return out;
}

chain::u256 MorphoBlueProtocol::health_factor(const chain::Address& account,
                                              std::uint64_t timestamp) const {
  u256 lowest = strategy::kNoDebt;
  for (const auto& v : positions_of(account, timestamp))
    if (v.position.borrow_shares != 0)
      lowest = std::min(lowest, morpho_blue::health_factor(v.health));
  return lowest;
}

strategy::Valuation MorphoBlueProtocol::valuation() const {
  u256 native = 0;
  const auto& assets = book_.assets();
  for (std::size_t i = 0; i < assets.size(); ++i)
    if (assets[i].symbol == "WETH") native = usd_value(i, pow10(assets[i].decimals));
  return {kUsdUnit, native};
}

std::optional<chain::Address> MorphoBlueProtocol::asset_by_symbol(std::string_view symbol) const {
  for (const auto& a : book_.assets())
    if (a.symbol == symbol) return a.token;
  return std::nullopt;
}

std::vector<chain::Address> MorphoBlueProtocol::debt_assets() const {
  std::vector<chain::Address> out;
  for (const auto& m : book_.markets())
    if (std::find(out.begin(), out.end(), m.state.params.loan_token) == out.end())
      out.push_back(m.state.params.loan_token);
  return out;
}

const BookMarket* MorphoBlueProtocol::market_for(const strategy::Opportunity& o) const {
  // The account's market with this pair; of two such markets (other oracle or LLTV), the one
  // whose position is unhealthy now.
  const BookMarket* found = nullptr;
  for (const auto& v : positions_of(o.account, book_.timestamp())) {
    const auto& p = v.market->state.params;
    if (p.collateral_token != o.collateral_asset || p.loan_token != o.debt_asset) continue;
    if (found == nullptr || !v.health.healthy()) found = v.market;
  }
  return found;
}

strategy::ContractCall MorphoBlueProtocol::liquidation_call(const strategy::Opportunity& o,
                                                            bool) const {
  const BookMarket* m = market_for(o);
  // No such position any more: an empty call, which Morpho refuses (it has no fallback).
  if (m == nullptr) return {book_.morpho(), {}};
  // By seized assets: Morpho takes exactly what keeper computed, rounding the shares up.
  return {book_.morpho(), liquidate_calldata(m->state.params, o.account, o.collateral_seized, 0)};
}

std::optional<MorphoBlueProtocol::PositionView> MorphoBlueProtocol::position_for(
    const strategy::Opportunity& o, std::uint64_t timestamp,
    std::span<const strategy::PriceMove> moves) const {
  // The account's market with this pair; of two such markets (other oracle or LLTV), the one
  // whose position is unhealthy.
  std::optional<PositionView> found;
  for (const auto& v : positions_of(o.account, timestamp, moves)) {
    const auto& p = v.market->state.params;
    if (p.collateral_token != o.collateral_asset || p.loan_token != o.debt_asset) continue;
    if (!found || !v.health.healthy()) found = v;
  }
  return found;
}

strategy::SeizureCurve MorphoBlueProtocol::seizure_curve(
    const strategy::Opportunity& o, std::uint64_t timestamp,
    std::span<const strategy::PriceMove> moves) const {
  const auto v = position_for(o, timestamp, moves);
  if (!v || v->health.healthy()) return {};
  const u256 upper = max_seizable(v->totals, v->position, v->market->state.params.lltv, v->price);
  // Morpho is called with seized assets: for a debt to cover, the most collateral whose repayment
  // stays within it.
  return [totals = v->totals, earliest = v->earliest_totals, position = v->position,
          lltv = v->market->state.params.lltv, price = v->price,
          upper](const u256& debt_to_cover) -> std::optional<strategy::Seizure> {
    if (debt_to_cover == 0) return std::nullopt;
    const auto s = largest_seizure(totals, earliest, position, lltv, price, upper, debt_to_cover);
    if (!s) return std::nullopt;
    return strategy::Seizure{s->second.repaid_assets, s->first};
  };
}

std::optional<chain::u256> MorphoBlueProtocol::value_in_base(
    const chain::Address& asset, const chain::u256& amount,
    std::span<const strategy::PriceMove> moves) const {
  const auto& assets = book_.assets();
  for (std::size_t i = 0; i < assets.size(); ++i) {
    if (assets[i].token != asset) continue;
    u256 answer = assets[i].answer;
    for (const auto& m : moves)
      if (m.asset == i) answer = m.price;
    if (answer == 0) return std::nullopt;
    return mul_div_down(mul_div_down(amount, answer, pow10(assets[i].decimals)), kUsdUnit,
                        pow10(assets[i].feed_decimals));
  }
  return std::nullopt;
}

tl::expected<strategy::ContractCall, ProtocolError> MorphoBlueProtocol::contract_call(
    const strategy::Opportunity& o, const chain::Address& contract,
    const strategy::FlashTerms* terms) const {
  const auto v = position_for(o, book_.timestamp(), {});
  if (!v)
    return tl::unexpected(ProtocolError{
        ProtocolErrorKind::bad_data,
        "no Morpho position of " + o.account.checksummed() + " in a " + o.label + " market"});
  ContractLiquidation c;
  c.morpho = book_.morpho();
  c.params = v->market->state.params;
  c.borrower = o.account;
  c.seized_assets = o.collateral_seized;
  c.min_borrow_shares = v->position.borrow_shares;
  if (terms != nullptr) {
    c.router = terms->router;
    c.path = terms->path;
    c.amount_out_minimum = terms->amount_out_minimum;
    c.min_profit = terms->min_profit;
  }
  return strategy::ContractCall{contract, liquidate_morpho_calldata(c)};
}

tl::expected<strategy::ContractCall, ProtocolError> MorphoBlueProtocol::contract_liquidation_call(
    const strategy::Opportunity& o, const chain::Address& contract, bool) const {
  return contract_call(o, contract, nullptr);
}

tl::expected<strategy::ContractCall, ProtocolError> MorphoBlueProtocol::flash_liquidation_call(
    const strategy::Opportunity& o, const chain::Address& contract,
    const strategy::FlashTerms& terms) const {
  return contract_call(o, contract, &terms);
}

tl::expected<std::optional<chain::Address>, ProtocolError> MorphoBlueProtocol::liquidation_target(
    const chain::rpc::PendingTransaction& tx) const {
  if (!tx.to || *tx.to != book_.morpho()) return std::nullopt;
  auto call = decode_liquidate_call(tx.input);
  if (!call) return tl::unexpected(ProtocolError{ProtocolErrorKind::bad_data, call.error()});
  if (!*call) return std::nullopt;
  return (*call)->borrower;
}

std::optional<strategy::Realised> MorphoBlueProtocol::realised(
    const chain::rpc::Receipt& receipt, const chain::Address& liquidator) const {
  if (!receipt.success) return std::nullopt;
  for (const auto& log : receipt.logs) {
    if (log.address != book_.morpho()) continue;
    const auto e = decode_liquidate(log);
    if (!e || e->caller != liquidator) continue;
    const BookMarket* m = book_.market(e->market);
    strategy::Realised r;
    r.debt_repaid = e->repaid_assets;
    r.collateral_received = e->seized_assets;
    r.gas_paid_wei = receipt.effective_gas_price * receipt.gas_used;
    // Through keeper's contract with a swap: what it kept of the sale, in the loan token.
    for (const auto& own : receipt.logs) {
      if (own.address != liquidator) continue;
      const auto c = decode_morpho_liquidated(own);
      if (c && c->market == e->market && c->borrower == e->borrower && c->bought != 0)
        r.flash_profit = c->profit;
    }
    if (m != nullptr) {
      const double gain = r.flash_profit
                              ? chain::to_double(usd_value(m->loan_asset, *r.flash_profit))
                              : chain::to_double(usd_value(m->collateral_asset, e->seized_assets)) -
                                    chain::to_double(usd_value(m->loan_asset, e->repaid_assets));
      const double gas =
          chain::to_double(valuation().native_price_base) * chain::to_double(r.gas_paid_wei) / 1e18;
      r.profit_usd = (gain - gas) / 1e8;
    }
    return r;
  }
  return std::nullopt;
}

std::string MorphoBlueProtocol::symbol(const chain::Address& asset) const {
  for (const auto& a : book_.assets())
    if (a.token == asset) return a.symbol;
  return asset.checksummed();
}

}  // namespace protocols::morpho_blue
