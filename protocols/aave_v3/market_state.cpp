#include "protocols/aave_v3/market_state.hpp"

#include <algorithm>

#include "chain/rpc/log_backfill.hpp"
#include "protocols/aave_v3/events.hpp"

namespace protocols::aave_v3 {
namespace {

namespace aave = protocols::aave_v3;
using chain::Address;

// First-backfill windows: progress is saved after each, so a restart loses at most one.
constexpr std::uint64_t kDiscoveryWindow = 100'000;
// How far back a reorg makes keeper look again for accounts it may have missed.
constexpr std::uint64_t kReorgDepth = 128;

const char* touch_name(aave::TouchKind k) {
  switch (k) {
    case aave::TouchKind::supply: return "supply";
    case aave::TouchKind::withdraw: return "withdraw";
    case aave::TouchKind::borrow: return "borrow";
    case aave::TouchKind::repay: return "repay";
    case aave::TouchKind::collateral_enabled: return "collateral_enabled";
    case aave::TouchKind::collateral_disabled: return "collateral_disabled";
    case aave::TouchKind::emode_set: return "emode_set";
    case aave::TouchKind::balance_transfer: return "balance_transfer";
    case aave::TouchKind::mint: return "mint";
    case aave::TouchKind::burn: return "burn";
    case aave::TouchKind::swap_rate_mode: return "swap_rate_mode";
    case aave::TouchKind::rebalance_stable_rate: return "rebalance_stable_rate";
    case aave::TouchKind::mint_unbacked: return "mint_unbacked";
  }
  return "touch";
}

const char* event_name(const aave::Event& e) {
  return std::visit(
      [](const auto& v) -> const char* {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, aave::AccountsTouched>) return touch_name(v.kind);
        if constexpr (std::is_same_v<T, aave::ReserveDataUpdated>) return "reserve_data_updated";
        if constexpr (std::is_same_v<T, aave::LiquidationCall>) return "liquidation_call";
        if constexpr (std::is_same_v<T, aave::AnswerUpdated>) return "answer_updated";
        if constexpr (std::is_same_v<T, aave::AssetSourceUpdated>) return "asset_source_updated";
        if constexpr (std::is_same_v<T, aave::ReserveConfigChanged>)
          return "reserve_config_changed";
        return "emode_category_added";
      },
      e);
}

}  // namespace

tl::expected<void, std::string> MarketState::sync_full(const chain::rpc::BlockHeader& head,
                                                       std::set<Address> known, std::uint64_t from,
                                                       const DiscoveryProgress& progress) {
  for (std::uint64_t lo = from; lo <= head.number;) {
    const std::uint64_t hi = std::min(head.number, lo + kDiscoveryWindow - 1);
    auto found = sync_.discover_accounts(contracts_, lo, hi);
    if (!found) return tl::unexpected(found.error());
    known.insert(found->begin(), found->end());
    if (progress) progress(known, hi);
    lo = hi + 1;
  }
  known_ = std::move(known);
  return read_all(head);
}

tl::expected<void, std::string> MarketState::read_all(const chain::rpc::BlockHeader& head) {
  auto market = sync_.market(contracts_, head.number);
  if (!market) return tl::unexpected(market.error());
  auto positions = sync_.accounts(contracts_, *market,
                                  std::vector<Address>(known_.begin(), known_.end()), head.number);
  if (!positions) return tl::unexpected(positions.error());
  market_ = std::move(*market);
  positions_ = std::move(*positions);
  block_ = head.number;
  hash_ = head.hash;
  ready_ = true;
  return {};
}

void MarketState::restore(StateSnapshot s) {
  known_ = std::move(s.accounts);
  market_ = std::move(*s.market);
  positions_ = std::move(s.positions);
  block_ = s.block;
  hash_ = s.block_hash;
  ready_ = true;
}

StateSnapshot MarketState::snapshot(std::uint64_t chain_id, const Address& provider) const {
  return StateSnapshot{chain_id, provider, block_, hash_, known_, market_, positions_};
}

tl::expected<AdvanceReport, std::string> MarketState::advance(const chain::rpc::BlockHeader& head) {
  if (!ready_) return tl::unexpected(std::string{"the market state was never synced"});
  AdvanceReport report;
  report.from = block_ + 1;
  report.to = head.number;
  if (head.number == block_ && head.hash == hash_) return report;  // delivered twice

  // Does the head extend the block our state is built on?
  std::string reorg;
  if (head.number <= block_) {
    reorg =
        "head " + std::to_string(head.number) + " is not above our block " + std::to_string(block_);
  } else if (head.number == block_ + 1) {
    if (head.parent_hash != hash_) reorg = "the new head's parent is not our block";
  } else {
    auto ours = rpc_.block(block_);
    if (!ours)
      return tl::unexpected("block " + std::to_string(block_) + ": " + ours.error().to_string());
    if (ours->hash != hash_)
      reorg = "block " + std::to_string(block_) + " left the canonical chain";
  }
  if (!reorg.empty()) {
    // Accounts first seen in orphaned blocks stay known (harmless); ones in the new branch are
    // found by looking again over the reorg depth.
    const std::uint64_t back = block_ > kReorgDepth ? block_ - kReorgDepth : 0;
    auto found = sync_.discover_accounts(contracts_, back, head.number);
    if (!found) return tl::unexpected(found.error());
    const auto before = known_.size();
    known_.insert(found->begin(), found->end());
    if (auto ok = read_all(head); !ok) return tl::unexpected(ok.error());
    report.resynced = reorg;
    report.touched.assign(known_.begin(), known_.end());
    report.accounts_new = known_.size() - before;
    report.accounts_refreshed = positions_.size();
    return report;
  }

  // The market at the head, in one batch: indexes, rates, configuration, prices (including one
  // written without an event), eMode. Reserves are few; accounts are what must not be re-read.
  auto market = sync_.market(contracts_, head.number);
  if (!market) return tl::unexpected(market.error());

  chain::rpc::LogFilter filter;
  filter.addresses = {contracts_.pool};
  for (const auto& r : market->reserves)
    for (const auto& token : {r.a_token, r.variable_debt_token, r.stable_debt_token})
      if (!token.is_zero()) filter.addresses.push_back(token);
  std::vector<chain::Hash> topics;
  for (const auto& t : aave::pool_event_topics()) topics.push_back(t);
  for (const auto& t : aave::token_event_topics()) topics.push_back(t);
  filter.topics = {topics};
  std::set<Address> touched;
  auto done = chain::rpc::backfill_logs(
      rpc_, filter, block_ + 1, head.number, {},
      [&](std::uint64_t, std::uint64_t, std::vector<chain::rpc::Log>&& logs) {
        for (const auto& log : logs) {
          ++report.logs;
          auto ev = aave::decode_event({log.address, log.topics, log.data});
          if (!ev) continue;
          ++report.events[event_name(*ev)];
          aave::add_accounts_changed(*ev, touched);
        }
        return true;
      });
  if (!done)
    return tl::unexpected("logs " + std::to_string(block_ + 1) + ".." +
                          std::to_string(head.number) + ": " + done.error().to_string());
  // Tokens mint to and burn from the zero address and the Pool itself: not borrowers.
  touched.erase(contracts_.pool);
  auto refreshed = sync_.accounts(
      contracts_, *market, std::vector<Address>(touched.begin(), touched.end()), head.number);
  if (!refreshed) return tl::unexpected(refreshed.error());

  market_ = std::move(*market);
  for (auto& [who, account] : *refreshed) {
    if (known_.insert(who).second) ++report.accounts_new;
    positions_[who] = std::move(account);
  }
  report.accounts_refreshed = refreshed->size();
  report.touched.assign(touched.begin(), touched.end());
  block_ = head.number;
  hash_ = head.hash;
  return report;
}

}  // namespace protocols::aave_v3
