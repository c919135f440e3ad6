#include "keeper/engine/block_pipeline.hpp"

#include "chain/fee_market.hpp"
#include "chain/hex.hpp"
#include "keeper/engine/price_tick.hpp"
#include "keeper/engine/reporting.hpp"
#include "keeper/liquidator/swap_path.hpp"

namespace keeper::engine {
namespace {

using chain::Address;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Linear forms hold balances fixed; interest moves them, so all are rebuilt this often.
constexpr std::uint64_t kWatchRebuildBlocks = 50;
constexpr std::uint64_t kWatchRebuildSeconds = 3600;

// The contract's terms for a planned flash liquidation: Uniswap's packed path, and floors that
// revert the whole transaction rather than let it land below the profit planned for.
tl::expected<strategy::FlashTerms, strategy::ProtocolError> flash_terms(
    const strategy::FlashDetails& flash, const Address& router) {
  const auto& legs = flash.route.legs;
  std::vector<liquidator::SwapHop> hops;
  hops.reserve(legs.size());
  for (const auto& leg : legs) hops.push_back({leg.fee, leg.token_out});
  if (legs.empty())
    return tl::unexpected(
        strategy::ProtocolError{strategy::ProtocolErrorKind::bad_data, "an empty swap route"});
  auto path = liquidator::encode_swap_path(legs.front().token_in, hops);
  if (!path)
    return tl::unexpected(
        strategy::ProtocolError{strategy::ProtocolErrorKind::bad_data,
                                "swap path: " + std::string{liquidator::describe(path.error())}});
  // The sale must repay what the protocol took and the premium, and leave the floor.
  const chain::u256 spent = flash.route.amount_out - flash.profit;
  return strategy::FlashTerms{router, std::move(*path), spent + flash.min_profit, flash.min_profit};
}

}  // namespace

BlockPipeline::BlockPipeline(chain::rpc::RpcClient& rpc, strategy::LendingProtocol& protocol,
                             strategy::Strategy& strategy, tx::TxManager* manager, Address wallet,
                             const ops::Log& log, ops::Metrics& metrics, PipelineOptions options)
    : rpc_{rpc},
      protocol_{protocol},
      strategy_{strategy},
      manager_{manager},
      wallet_{wallet},
      log_{log},
      metrics_{metrics},
      options_{options},
      competition_{[this](const chain::rpc::PendingTransaction& tx)
                       -> tl::expected<std::optional<Address>, std::string> {
                     auto target = protocol_.liquidation_target(tx);
                     if (!target) return tl::unexpected(target.error().message);
                     return *target;
                   },
                   {wallet_, options.liquidator_contract.value_or(wallet_)}} {
  attach_manager(manager);
}

void BlockPipeline::attach_manager(tx::TxManager* manager) {
  manager_ = manager;
  if (manager_ != nullptr) {
    const auto nonces = manager_->in_flight_nonces();
    inherited_.insert(nonces.begin(), nonces.end());
    if (!nonces.empty())
      log_.info("inherited", {{"in_flight", nonces.size()}, {"first_nonce", nonces.front()}},
                std::to_string(nonces.size()) +
                    " transaction(s) of a previous process in flight: no liquidation is sent "
                    "beside them until the state shows them");
  }
  // Inventory: the wallet's (the contract pulls from it when it holds too little itself), or the
  // contract's own balances; a flash loan needs none.
  if (manager_ != nullptr && !inventory_) {
    switch (options_.funding) {
      case strategy::Funding::wallet:
        inventory_.emplace(rpc_, wallet_, liquidator_spender());
        break;
      case strategy::Funding::contract:
        if (options_.liquidator_contract)
          inventory_.emplace(rpc_, *options_.liquidator_contract, *options_.liquidator_contract);
        break;
      case strategy::Funding::flash: break;
    }
  }
}

bool BlockPipeline::advance_pools(std::uint64_t block, bool resynced) {
  if (pools_ == nullptr) return false;
  if (resynced) {
    if (auto ok = pools_->reload(rpc_, block); !ok) {
      log_.event(ops::Level::warn, "pools", {{"block", block}, {"what", ok.error()}}, ok.error());
      return false;
    }
    return true;
  }
  auto update = pools_->advance(rpc_, block);
  if (!update) {
    metrics_.count_event("pool_read_failed");
    log_.event(ops::Level::warn, "pools", {{"block", block}, {"what", update.error()}},
               "block " + std::to_string(block) + ": " + update.error() +
                   " (no flash liquidation at this head)");
    return false;
  }
  if (update->logs != 0) metrics_.count_event("pool_log", update->logs);
  if (update->reloaded != 0)
    log_.event(
        ops::Level::debug, "pools", {{"block", block}, {"reloaded", update->reloaded}},
        std::to_string(update->reloaded) + " pools read again at block " + std::to_string(block));
  return true;
}

void BlockPipeline::on_head(const chain::rpc::BlockHeader& head, Clock::time_point received_at) {
  const std::uint64_t block = head.number;
  ++totals_.heads;
  metrics_.count_event("head");
  // On failure the state stays at its last block, and the next head covers this one's logs
  // too: nothing is skipped.
  auto advanced = protocol_.advance(head);
  if (!advanced) {
    ++totals_.failed_heads;
    log_.event(ops::Level::error, "error", {{"block", block}, {"what", advanced.error().message}},
               "block " + std::to_string(block) + ": " + advanced.error().message);
    return;
  }
  for (const auto& [kind, n] : advanced->events) metrics_.count_event(kind, n);
  if (!advanced->resynced.empty()) {
    metrics_.count_event("reorg");
    log_.event(
        ops::Level::warn, "resync", {{"block", block}, {"why", advanced->resynced}},
        "re-read the whole market at block " + std::to_string(block) + ": " + advanced->resynced);
  }
  log_.event(ops::Level::debug, "state",
             {{"block", block},
              {"from", advanced->from},
              {"logs", advanced->logs},
              {"refreshed", advanced->accounts_refreshed},
              {"new_accounts", advanced->accounts_new}},
             "block " + std::to_string(block) + ": " + std::to_string(advanced->logs) + " logs, " +
                 std::to_string(advanced->accounts_refreshed) + " accounts re-read, " +
                 std::to_string(advanced->accounts_new) + " new");
  pools_current_ = advance_pools(block, !advanced->resynced.empty());
  last_head_timestamp_ = head.timestamp;
  fees_.next_base_fee_wei =
      chain::next_base_fee(head.base_fee_per_gas.value_or(0), head.gas_used, head.gas_limit);
  if (inventory_stale_) refresh_inventory(block);

  // Rank every account with the watchlist's linear forms (rebuilt for the accounts this block
  // touched, and for all after a resync or once enough blocks or chain time passed for interest
  // to matter); only the candidates under the watch band get exact uint256 evaluation.
  const std::uint64_t next_timestamp = head.timestamp + 1;
  const bool rebuild = !watch_rebuilt_ || !advanced->resynced.empty() ||
                       block >= watch_rebuilt_->first + kWatchRebuildBlocks ||
                       head.timestamp >= watch_rebuilt_->second + kWatchRebuildSeconds;
  if (rebuild) {
    watchlist_.refresh_all(protocol_, next_timestamp);
    watch_rebuilt_ = {block, head.timestamp};
  } else {
    watchlist_.refresh(protocol_, advanced->touched, next_timestamp);
  }
  const auto pass = watchlist_.scan(protocol_, options_.hf_watch_band);
  metrics_.set_accounts(protocol_.account_count(), pass.health.size(), pass.in_band);
  metrics_.set_health_factors(pass.health);
  const auto evaluated_at = Clock::now();
  metrics_.observe_stage(ops::Stage::evaluated, evaluated_at - received_at);

  band_ = pass.candidates;  // a tick before the next head starts from these
  strategy::MarketView view;
  view.protocol = &protocol_;
  view.block = block;
  view.timestamp = next_timestamp;
  view.candidates = &band_;
  decide_and_act(view, evaluated_at, "head");
  head_decided_ = true;
}

void BlockPipeline::finish_head(const chain::rpc::BlockHeader& head) {
  const std::uint64_t block = head.number;
  if (head_decided_) {  // a head whose state could not be read has nothing to finish
    follow_transactions(block);
    competition_.expire(block);
    pending_updates_.expire(block);
    if (bundles_ != nullptr) bundles_->on_head(block);
    report_landed(block, head.timestamp);
    follow_price_sources(block);
    metrics_.head_processed({block, head.timestamp});
    if (on_head_settled_) on_head_settled_(head, watchlist_);
  }
  head_decided_ = false;
}

void BlockPipeline::decide_and_act(strategy::MarketView view, Clock::time_point evaluated_at,
                                   const char* source, const Backrun* backrun) {
  view.fees = &fees_;
  view.gas = &gas_;
  view.competitor_tips = &competition_.tips();
  if (pools_current_) view.venue = pools_;
  // Our own liquidations in flight are let go by the strategy itself, before it assumes their
  // sales on the pools (see MarketView::busy). [this, block] fits std::function's own storage.
  const std::function<std::optional<std::string>(const Address&)> busy =
      [this, block = view.block](const Address& a) { return still_ours(a, block); };
  if (manager_ != nullptr && !liquidating_.empty()) view.busy = &busy;
  if (inventory_ && inventory_->read()) view.inventory = &inventory_->available();
  const auto actions = strategy_.process_event(strategy::NewBlock{view});
  const auto decided_at = Clock::now();
  std::vector<strategy::LiquidateAction> liquidations;
  liquidations.reserve(actions.size());
  for (const auto& action : actions) {
    if (const auto* l = std::get_if<strategy::LiquidateAction>(&action)) {
      liquidations.push_back(*l);
    } else if (const auto* skip = std::get_if<strategy::SkipAction>(&action)) {
      report_skip(skip->account, skip->reason, view.block, source, skip->gross_profit_usd);
    }
  }
  if (!liquidations.empty()) metrics_.observe_stage(ops::Stage::decided, decided_at - evaluated_at);
  totals_.opportunities += liquidations.size();
  metrics_.count_opportunity(liquidations.size());
  if (options_.dry_run) {
    for (const auto& a : liquidations) report_dry_run(a, view.block, source, backrun);
    retract_unsent(liquidations, std::vector<bool>(liquidations.size(), false));
  } else if (!liquidations.empty()) {
    execute(liquidations, view.block, decided_at, source, backrun);
  }
}

void BlockPipeline::follow_price_sources(std::uint64_t block) {
  auto changed = protocol_.follow_price_sources(block);
  if (!changed) {
    log_.event(ops::Level::warn, "feeds", {{"block", block}, {"what", changed.error().message}},
               changed.error().message);
    return;
  }
  if (!*changed) return;
  json emitters = json::array();
  for (const auto& emitter : (*changed)->addresses) emitters.push_back(emitter.checksummed());
  log_.info(
      "feeds", {{"block", block}, {"emitters", emitters}},
      "following " + std::to_string((*changed)->addresses.size()) + " price feed aggregators");
  auto filter = std::move(**changed);
  price_emitters_ = {filter.addresses.begin(), filter.addresses.end()};
  if (pools_ != nullptr && filter.topics.size() == 1) {
    // One subscription for prices and pools; a log of one kind from the other's address is
    // ignored by both decoders.
    for (const auto& pool : pools_->addresses()) filter.addresses.push_back(pool);
    for (const auto& topic : market::PoolBook::event_topics()) filter.topics[0].push_back(topic);
  }
  if (on_sources_changed_) on_sources_changed_(filter);
}

void BlockPipeline::on_price_log(const chain::rpc::Log& log, Clock::time_point received_at) {
  // The pools' logs share the subscription, so they arrive in block order with the prices: a
  // pool moved before the oracle in the same block is quoted as moved.
  if (pools_ != nullptr && pools_->apply_live(log)) return;
  if (!protocol_.ready()) return;
  auto moves = protocol_.decode_price_log(log);
  if (!moves) return;
  metrics_.count_event("price_tick");
  if (moves->empty()) return;  // the state already holds that price
  const auto plan = plan_tick(protocol_, watchlist_, band_, std::move(*moves));
  const auto evaluated_at = Clock::now();
  metrics_.observe_stage(ops::Stage::evaluated, evaluated_at - received_at);
  if (log_.enabled(ops::Level::debug))
    log_.event(ops::Level::debug, "price_tick",
               {{"block", log.block_number},
                {"aggregator", log.address.checksummed()},
                {"candidates", plan.candidates.size()}},
               "price tick from " + log.address.checksummed() + ": " +
                   std::to_string(plan.candidates.size()) + " candidates");
  // The block carrying the tick is newer than our state; its timestamp is at least now.
  const auto now_s =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  strategy::MarketView view;
  view.protocol = &protocol_;
  view.block = protocol_.block();
  view.timestamp = std::max(last_head_timestamp_ + 1, now_s);
  view.candidates = &plan.candidates;
  view.moves = plan.moves;
  decide_and_act(view, evaluated_at, "tick");
}

void BlockPipeline::on_pending_transaction(const chain::rpc::PendingTransaction& tx,
                                           Clock::time_point received_at) {
  if (!protocol_.ready()) return;
  if (tx.to && price_emitters_.count(*tx.to) != 0) {
    on_pending_update(tx, received_at);
    return;
  }
  const auto seen = competition_.observe(tx, fees_.next_base_fee_wei, protocol_.block());
  if (!seen) return;
  metrics_.count_event("competitor_seen");
  log_.info("competitor",
            {{"account", seen->account.checksummed()},
             {"from", seen->from.checksummed()},
             {"tx", chain::hex_encode(seen->hash)},
             {"tip_gwei", chain::to_double(seen->tip) / 1e9}},
            "competing liquidation of " + seen->account.checksummed() + " in the mempool, tip " +
                std::to_string(chain::to_double(seen->tip) / 1e9) + " gwei");
  const auto flying = liquidating_.find(seen->account);
  if (manager_ != nullptr && flying != liquidating_.end() &&
      manager_->is_in_flight(flying->second)) {
    outbid(seen->account, competition_.tips().at(seen->account),
           competition_.max_fees().at(seen->account), protocol_.block());
    return;
  }
  // Not ours yet: is it liquidatable by our exact evaluation, and worth beating that tip?
  const std::vector<Address> chosen{seen->account};
  strategy::MarketView view;
  view.protocol = &protocol_;
  view.block = protocol_.block();
  view.timestamp = last_head_timestamp_ + 1;
  view.candidates = &chosen;
  const auto evaluated_at = Clock::now();
  metrics_.observe_stage(ops::Stage::evaluated, evaluated_at - received_at);
  decide_and_act(view, evaluated_at, "mempool");
}

void BlockPipeline::report_skip(const Address& account, const std::string& reason,
                                std::uint64_t block, const char* source, double gross_profit_usd) {
  metrics_.count_skip(reason);
  auto& last = last_skip_[account];
  if (last == reason) return;
  last = reason;
  log_.info("liquidation_skipped",
            {{"block", block},
             {"account", account.checksummed()},
             {"reason", reason},
             {"gross_profit_usd", gross_profit_usd},
             {"source", source}},
            account.checksummed() + " is liquidatable but let go: " + reason + " (gross " +
                money(gross_profit_usd) + ")");
}

json BlockPipeline::describe(const strategy::LiquidateAction& a, std::uint64_t block,
                             const char* source, std::string& summary) const {
  const auto& o = a.opportunity;
  summary = o.account.checksummed() + " HF " + hf_text(o.health_factor) + " " + o.label +
            " cover " + chain::to_dec(o.debt_to_cover) + " expected profit " + money(a.profit_usd);
  json f{{"block", block},
         {"account", o.account.checksummed()},
         {"health_factor", hf_value(o.health_factor)},
         {"collateral", protocol_.symbol(o.collateral_asset)},
         {"debt", protocol_.symbol(o.debt_asset)},
         {"debt_to_cover", chain::to_dec(o.debt_to_cover)},
         {"expected_profit_usd", a.profit_usd},
         {"source", source}};
  if (a.flash) {
    json route = json::array();
    for (const auto& leg : a.flash->route.legs)
      route.push_back(protocol_.symbol(leg.token_in) + ">" + protocol_.symbol(leg.token_out) + "@" +
                      std::to_string(leg.fee));
    f["funding"] = "flash";
    f["route"] = route;
    f["collateral_sold"] = chain::to_dec(a.flash->route.amount_in);
    f["debt_bought"] = chain::to_dec(a.flash->route.amount_out);
    f["flash_premium"] = chain::to_dec(a.flash->premium);
    f["expected_flash_profit"] = chain::to_dec(a.flash->profit);
    f["min_flash_profit"] = chain::to_dec(a.flash->min_profit);
    summary += ", flash via " + route.dump();
  }
  return f;
}

void BlockPipeline::report_dry_run(const strategy::LiquidateAction& a, std::uint64_t block,
                                   const char* source, const Backrun* backrun) {
  // A tick and the head after it usually find the same liquidation: the head does not report it
  // again. (Later heads do: in a dry run nothing takes it.)
  const auto& o = a.opportunity;
  const std::string pair = o.account.checksummed() + ":" + o.collateral_asset.checksummed() + ":" +
                           o.debt_asset.checksummed();
  if (std::string_view{source} == "tick") {
    dry_run_ticked_[pair] = block;
  } else if (const auto it = dry_run_ticked_.find(pair); it != dry_run_ticked_.end()) {
    const bool same_opportunity = block <= it->second + 1;
    dry_run_ticked_.erase(it);
    if (same_opportunity) return;
  }
  std::string summary;
  json f = describe(a, block, source, summary);
  if (backrun != nullptr) {
    // The account is healthy until the update is mined: a simulation now would only revert.
    const auto update = chain::hex_encode(backrun->update);
    f["backrun_of"] = update;
    f["simulation"] = "not run: the account falls only once the update is mined";
    ++totals_.dry_run_reports;
    log_.info("would_backrun", f, "would backrun " + update + ": " + summary);
    return;
  }
  const auto intent = liquidation_intent(a);
  if (!intent) {
    f["simulation"] = intent.error().message;
  } else {
    const chain::rpc::CallRequest call{wallet_, intent->to, intent->data, std::nullopt,
                                       std::nullopt};
    f["simulation"] = simulation_text(rpc_.eth_call(call, "latest"));
  }
  ++totals_.dry_run_reports;
  log_.info("would_liquidate", f, summary + ", simulation " + f["simulation"].get<std::string>());
}

tl::expected<tx::Intent, strategy::ProtocolError> BlockPipeline::liquidation_intent(
    const strategy::LiquidateAction& a) const {
  const auto key = intent_key(a.opportunity);
  if (a.flash) {
    if (!options_.liquidator_contract || !options_.swap_router)
      return tl::unexpected(strategy::ProtocolError{
          strategy::ProtocolErrorKind::fatal, "flash funding without a contract or a router"});
    auto terms = flash_terms(*a.flash, *options_.swap_router);
    if (!terms) return tl::unexpected(terms.error());
    auto call =
        protocol_.flash_liquidation_call(a.opportunity, *options_.liquidator_contract, *terms);
    if (!call) return tl::unexpected(call.error());
    return tx::Intent{key, call->to, std::move(call->data), 0};
  }
  if (!options_.liquidator_contract) {
    auto call = protocol_.liquidation_call(a.opportunity, a.receive_collateral_deposit);
    return tx::Intent{key, call.to, std::move(call.data), 0};
  }
  auto call = protocol_.contract_liquidation_call(a.opportunity, *options_.liquidator_contract,
                                                  a.receive_collateral_deposit);
  if (!call) return tl::unexpected(call.error());
  return tx::Intent{key, call->to, std::move(call->data), 0};
}

}  // namespace keeper::engine
