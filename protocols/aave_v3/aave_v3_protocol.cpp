#include "protocols/aave_v3/aave_v3_protocol.hpp"

#include <algorithm>
#include <memory>

#include "chain/abi/calldata.hpp"
#include "chain/abi/signature.hpp"
#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/account_weights.hpp"
#include "protocols/aave_v3/calldata.hpp"
#include "protocols/aave_v3/events.hpp"
#include "protocols/aave_v3/liquidation_receipt.hpp"
#include "protocols/aave_v3/liquidator_call.hpp"
#include "protocols/aave_v3/opportunity.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"

namespace protocols::aave_v3 {
namespace {

using strategy::Assessment;
using strategy::ProtocolError;
using strategy::ProtocolErrorKind;
using Verdict = strategy::Assessment::Verdict;

// A proxy can switch aggregators without an event keeper watches: look again this often.
constexpr std::uint64_t kFeedRefollowBlocks = 25;

ProtocolError transient(std::string message) {
  return {ProtocolErrorKind::transient, std::move(message)};
}

// The market with pending price moves applied, or none when there are none.
std::optional<Market> moved(const Market& m, std::span<const strategy::PriceMove> moves) {
  if (moves.empty()) return std::nullopt;
  Market out = m;
  for (const auto& move : moves)
    if (move.asset < out.reserves.size()) out.reserves[move.asset].price = move.price;
  return out;
}

OpportunityLimits limits_of(const strategy::LiquidationLimits& limits) {
  OpportunityLimits out;
  out.allow_assets = limits.allow_assets;
  out.deny_assets = limits.deny_assets;
  if (limits.max_debt_to_cover_base != 0)
    out.max_debt_to_cover_base = limits.max_debt_to_cover_base;
  // Pairs are ranked by what they earn before gas: gas is the same whichever pair is taken.
  out.gas_cost_base = 0;
  if (limits.max_debt_amount != nullptr) out.max_debt_amount = *limits.max_debt_amount;
  return out;
}

}  // namespace

AaveV3Protocol::AaveV3Protocol(MarketState& state, chain::rpc::RpcClient& rpc,
                               AaveContracts contracts, ProtocolOptions options)
    : live_{&state}, rpc_{&rpc}, contracts_{contracts}, options_{std::move(options)} {}

AaveV3Protocol::AaveV3Protocol(const Market& market, const std::map<Address, Account>& positions,
                               std::uint64_t block, AaveContracts contracts,
                               ProtocolOptions options)
    : fixed_market_{&market},
      fixed_positions_{&positions},
      fixed_block_{block},
      contracts_{contracts},
      options_{std::move(options)} {}

const Market& AaveV3Protocol::market() const noexcept {
  return live_ != nullptr ? live_->market() : *fixed_market_;
}

const std::map<Address, Account>& AaveV3Protocol::positions() const noexcept {
  return live_ != nullptr ? live_->positions() : *fixed_positions_;
}

bool AaveV3Protocol::ready() const noexcept { return live_ == nullptr || live_->ready(); }

std::uint64_t AaveV3Protocol::block() const noexcept {
  return live_ != nullptr ? live_->block() : fixed_block_;
}

tl::expected<strategy::BlockUpdate, ProtocolError> AaveV3Protocol::advance(
    const chain::rpc::BlockHeader& head) {
  if (live_ == nullptr)
    return tl::unexpected(ProtocolError{ProtocolErrorKind::fatal, "a fixed market cannot advance"});
  auto report = live_->advance(head);
  if (!report) return tl::unexpected(transient(report.error()));
  return strategy::BlockUpdate{report->from,
                               report->to,
                               report->logs,
                               report->accounts_refreshed,
                               report->accounts_new,
                               std::move(report->resynced),
                               std::move(report->touched),
                               std::move(report->events)};
}

tl::expected<std::optional<chain::rpc::LogFilter>, ProtocolError>
AaveV3Protocol::follow_price_sources(std::uint64_t block) {
  if (rpc_ == nullptr) return std::nullopt;
  std::vector<Address> sources;
  for (const auto& r : market().reserves) sources.push_back(r.price_source);
  if (feeds_block_ && sources == feed_sources_ && block < *feeds_block_ + kFeedRefollowBlocks)
    return std::nullopt;
  auto feeds = follow_feeds(*rpc_, market(), block);
  if (!feeds) return tl::unexpected(transient("following the price feeds: " + feeds.error()));
  feeds_block_ = block;
  feed_sources_ = std::move(sources);
  if (*feeds == feeds_) return std::nullopt;
  feeds_ = std::move(*feeds);
  chain::rpc::LogFilter filter;
  for (const auto& [emitter, reserves] : feeds_) filter.addresses.push_back(emitter);
  filter.topics = {{answer_updated_topic()}};
  return filter;
}

std::size_t AaveV3Protocol::asset_count() const noexcept { return market().reserves.size(); }

std::vector<double> AaveV3Protocol::rank_prices(std::span<const strategy::PriceMove> moves) const {
  auto prices = price_vector(market(), 0);
  for (const auto& move : moves)
    if (move.asset < prices.size()) prices[move.asset] = chain::to_double(move.price);
  return prices;
}

void AaveV3Protocol::for_each_account(
    const std::function<void(const chain::Address&)>& visit) const {
  for (const auto& [who, account] : positions()) visit(who);
}

std::size_t AaveV3Protocol::account_count() const noexcept { return positions().size(); }

strategy::RankForm AaveV3Protocol::rank_form(const chain::Address& who,
                                             std::uint64_t timestamp) const {
  const auto it = positions().find(who);
  if (it == positions().end()) return {};
  const auto& m = market();
  const auto& account = it->second;
  // eMode categories with their own price source: a single price vector cannot rank these
  // accounts, so they are always evaluated exactly.
  const auto emode = m.emodes.find(account.emode);
  const bool own_prices =
      account.emode != 0 && emode != m.emodes.end() && !emode->second.price_source.is_zero();
  return {account_weights(m, account, timestamp), own_prices};
}

chain::u256 AaveV3Protocol::price_of(strategy::AssetId asset) const {
  const auto& reserves = market().reserves;
  return asset < reserves.size() ? reserves[asset].price : chain::u256{0};
}

std::optional<std::vector<strategy::PriceMove>> AaveV3Protocol::decode_price_log(
    const chain::rpc::Log& log) const {
  if (log.removed || feeds_.find(log.address) == feeds_.end()) return std::nullopt;
  auto event = decode_event({log.address, log.topics, log.data});
  if (!event) return std::nullopt;
  const auto* answer = std::get_if<AnswerUpdated>(&*event);
  if (answer == nullptr) return std::nullopt;
  return price_moves_for_answer(log.address, answer->current);
}

std::optional<std::vector<strategy::PriceMove>> AaveV3Protocol::price_moves_for_answer(
    const chain::Address& aggregator, const chain::u256& answer) const {
  const auto feed = feeds_.find(aggregator);
  if (feed == feeds_.end()) return std::nullopt;
  std::vector<strategy::PriceMove> moves;
  // AaveOracle falls back elsewhere on a non-positive answer: leave that to the head's read.
  if ((answer >> 255) != 0 || answer == 0) return moves;
  const auto& reserves = market().reserves;
  for (const auto id : feed->second)
    if (id < reserves.size() && reserves[id].price != answer) moves.push_back({id, answer});
  return moves;
}

Assessment AaveV3Protocol::assess_one(const Market& m, const Address& who, const Account& account,
                                      std::uint64_t timestamp,
                                      const OpportunityLimits& limits) const {
  Assessment out{Verdict::healthy, who, std::nullopt};
  auto data = account_data(m, account, timestamp);
  if (!data || data->health_factor >= kWad) return out;
  auto best = best_liquidation(m, who, account, timestamp, limits);
  if (!best) {
    // Bad debt (nothing left to seize) is the common case once others have liquidated.
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
                                   static_cast<chain::u256>(best->profit_base),
                                   collateral.symbol + "/" + debt.symbol};
  return out;
}

std::vector<Assessment> AaveV3Protocol::assess(std::span<const chain::Address> accounts,
                                               std::uint64_t timestamp,
                                               const strategy::LiquidationLimits& limits,
                                               std::span<const strategy::PriceMove> moves) const {
  const auto with_moves = moved(market(), moves);
  const Market& m = with_moves ? *with_moves : market();
  const auto aave_limits = limits_of(limits);
  std::vector<Assessment> out;
  out.reserve(accounts.size());
  const auto& all = positions();
  for (const auto& who : accounts)
    if (const auto it = all.find(who); it != all.end())
      out.push_back(assess_one(m, who, it->second, timestamp, aave_limits));
  return out;
}

chain::u256 AaveV3Protocol::health_factor(const chain::Address& who,
                                          std::uint64_t timestamp) const {
  const auto it = positions().find(who);
  if (it == positions().end()) return strategy::kNoDebt;
  auto data = account_data(market(), it->second, timestamp);
  return data ? data->health_factor : strategy::kNoDebt;
}

strategy::Valuation AaveV3Protocol::valuation() const {
  const auto& m = market();
  chain::u256 native = 0;
  for (const auto& r : m.reserves)
    if (options_.native_asset ? r.asset == *options_.native_asset : r.symbol == "WETH")
      native = r.price;
  return {m.base_currency_unit, native};
}

std::optional<chain::Address> AaveV3Protocol::asset_by_symbol(std::string_view symbol) const {
  for (const auto& r : market().reserves)
    if (r.symbol == symbol) return r.asset;
  return std::nullopt;
}

std::vector<chain::Address> AaveV3Protocol::debt_assets() const {
  std::vector<chain::Address> out;
  out.reserve(market().reserves.size());
  for (const auto& r : market().reserves) out.push_back(r.asset);
  return out;
}

strategy::ContractCall AaveV3Protocol::liquidation_call(const strategy::Opportunity& o,
                                                        bool receive_collateral_deposit) const {
  return {contracts_.pool, liquidation_call_data(o.collateral_asset, o.debt_asset, o.account,
                                                 o.debt_to_cover, receive_collateral_deposit)};
}

chain::u256 AaveV3Protocol::scaled_debt_of(const Address& account, const Reserve& debt) const {
  if (const auto it = positions().find(account); it != positions().end())
    if (const auto* p = it->second.position(debt.id)) return p->scaled_variable_debt;
  return 0;
}

tl::expected<strategy::ContractCall, ProtocolError> AaveV3Protocol::contract_liquidation_call(
    const strategy::Opportunity& o, const chain::Address& contract,
    bool receive_collateral_deposit) const {
  const auto* debt = market().reserve_of(o.debt_asset);
  if (debt == nullptr)
    return tl::unexpected(
        ProtocolError{ProtocolErrorKind::bad_data, "not a reserve: " + o.debt_asset.checksummed()});
  // The contract stops for ~36k gas when the chain holds less scaled debt than keeper saw:
  // someone else liquidated or repaid first.
  const LiquidateArgs args{o.collateral_asset,
                           o.debt_asset,
                           o.account,
                           o.debt_to_cover,
                           debt->variable_debt_token,
                           scaled_debt_of(o.account, *debt),
                           receive_collateral_deposit};
  auto data = liquidate_calldata(args);
  if (!data)
    return tl::unexpected(
        ProtocolError{ProtocolErrorKind::bad_data, "encoding the liquidator contract's call"});
  return strategy::ContractCall{contract, std::move(*data)};
}

std::optional<std::uint32_t> AaveV3Protocol::flash_loan_premium_bps() const {
  return market().flash_loan_premium_bps;
}

strategy::SeizureCurve AaveV3Protocol::seizure_curve(
    const strategy::Opportunity& o, std::uint64_t timestamp,
    std::span<const strategy::PriceMove> moves) const {
  const auto it = positions().find(o.account);
  const auto* collateral = market().reserve_of(o.collateral_asset);
  const auto* debt = market().reserve_of(o.debt_asset);
  if (it == positions().end() || collateral == nullptr || debt == nullptr) return {};
  // The curve is called dozens of times while sizing: the moved market is built once, and the
  // account copied, so the curve outlives neither.
  auto m = std::make_shared<const Market>(moved(market(), moves).value_or(market()));
  return [m, account = it->second, c = collateral->id, d = debt->id,
          timestamp](const chain::u256& debt_to_cover) -> std::optional<strategy::Seizure> {
    if (debt_to_cover == 0) return std::nullopt;
    auto outcome = liquidation_outcome(*m, account, c, d, debt_to_cover, timestamp);
    if (!outcome || outcome->collateral_to_liquidator == 0) return std::nullopt;
    return strategy::Seizure{outcome->debt_repaid, outcome->collateral_to_liquidator};
  };
}

std::optional<chain::u256> AaveV3Protocol::value_in_base(
    const chain::Address& asset, const chain::u256& amount,
    std::span<const strategy::PriceMove> moves) const {
  const auto* r = market().reserve_of(asset);
  if (r == nullptr) return std::nullopt;
  chain::u256 price = r->price;
  for (const auto& move : moves)
    if (move.asset == r->id) price = move.price;
  return protocols::aave_v3::value_in_base(*r, amount, price);
}

tl::expected<strategy::ContractCall, ProtocolError> AaveV3Protocol::flash_liquidation_call(
    const strategy::Opportunity& o, const chain::Address& contract,
    const strategy::FlashTerms& terms) const {
  const auto* debt = market().reserve_of(o.debt_asset);
  if (debt == nullptr)
    return tl::unexpected(
        ProtocolError{ProtocolErrorKind::bad_data, "not a reserve: " + o.debt_asset.checksummed()});
  const FlashLiquidateArgs args{o.collateral_asset,
                                o.debt_asset,
                                o.account,
                                o.debt_to_cover,
                                debt->variable_debt_token,
                                scaled_debt_of(o.account, *debt),
                                terms.router,
                                terms.path,
                                terms.amount_out_minimum,
                                terms.min_profit};
  auto data = flash_liquidate_calldata(args);
  if (!data)
    return tl::unexpected(ProtocolError{ProtocolErrorKind::bad_data,
                                        "encoding the liquidator contract's flash call"});
  return strategy::ContractCall{contract, std::move(*data)};
}

tl::expected<std::optional<chain::Address>, ProtocolError> AaveV3Protocol::liquidation_target(
    const chain::rpc::PendingTransaction& tx) const {
  if (!tx.to || *tx.to != contracts_.pool) return std::nullopt;
  auto target = liquidation_call_target(tx.input);
  if (!target)
    return tl::unexpected(ProtocolError{ProtocolErrorKind::bad_data, "liquidationCall calldata"});
  return *target;
}

std::optional<strategy::Realised> AaveV3Protocol::realised(const chain::rpc::Receipt& receipt,
                                                           const chain::Address& liquidator) const {
  auto r =
      realised_liquidation(receipt, contracts_.pool, liquidator, market(), options_.native_asset);
  if (!r) return std::nullopt;
  return strategy::Realised{r->debt_repaid, r->collateral_received, r->gas_paid_wei, r->profit_usd,
                            r->flash_profit};
}

std::string AaveV3Protocol::symbol(const chain::Address& asset) const {
  const auto* r = market().reserve_of(asset);
  return r != nullptr ? r->symbol : asset.checksummed();
}

}  // namespace protocols::aave_v3
