#include "keeper/daemon/block_pipeline.hpp"

#include "chain/abi/revert.hpp"
#include "chain/abi/signature.hpp"
#include "chain/fee_market.hpp"
#include "chain/hex.hpp"
#include "keeper/daemon/liquidation_receipt.hpp"
#include "keeper/daemon/price_tick.hpp"
#include "keeper/liquidator/liquidator_calls.hpp"
#include "strategy/aave_v3/account_data.hpp"
#include "strategy/aave_v3/calldata.hpp"
#include "strategy/aave_v3/events.hpp"

namespace keeper::daemon {
namespace {

namespace aave = strategy::aave_v3;
using chain::Address;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Linear forms hold balances fixed; interest moves them, so all are rebuilt this often.
constexpr std::uint64_t kWatchRebuildBlocks = 50;
constexpr std::uint64_t kWatchRebuildSeconds = 3600;
// A proxy can switch aggregators without an event keeper watches: look again this often.
constexpr std::uint64_t kFeedRefollowBlocks = 25;

std::string intent_key(const strategy::LiquidateAction& a) {
  // One attempt per account, pair and position state: never the same liquidation twice.
  return "liquidation:" + a.opportunity.account.checksummed() + ":" +
         a.collateral_asset.checksummed() + ":" + a.debt_asset.checksummed() + ":" +
         chain::to_dec(a.opportunity.outcome.debt_repaid);
}

chain::Bytes liquidation_call(const strategy::LiquidateAction& a) {
  return aave::liquidation_call_data(a.collateral_asset, a.debt_asset, a.opportunity.account,
                                     a.opportunity.debt_to_cover, a.receive_a_token);
}

double hf_value(const chain::u256& hf) {
  return hf == chain::kU256Max ? -1.0 : chain::to_double(hf) / 1e18;  // -1: no debt
}

std::string hf_text(const chain::u256& hf) {
  return hf == chain::kU256Max ? std::string{"no debt"} : std::to_string(hf_value(hf));
}

std::string money(double usd) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "$%.2f", usd);
  return buf;
}

}  // namespace

BlockPipeline::BlockPipeline(chain::rpc::RpcClient& rpc, MarketState& state,
                             AaveContracts contracts, strategy::Strategy& strategy,
                             tx::TxManager* manager, Address wallet, const ops::Log& log,
                             ops::Metrics& metrics, PipelineOptions options)
    : rpc_{rpc},
      state_{state},
      contracts_{contracts},
      strategy_{strategy},
      manager_{manager},
      wallet_{wallet},
      log_{log},
      metrics_{metrics},
      options_{options},
      competition_{contracts_.pool, {wallet_, options.liquidator_contract.value_or(wallet_)}} {
  // The payer is always the wallet; the contract pulls from it when it holds too little itself.
  if (manager_ != nullptr) inventory_.emplace(rpc_, wallet_, liquidator_spender());
}

void BlockPipeline::on_head(const chain::rpc::BlockHeader& head, Clock::time_point received_at) {
  const std::uint64_t block = head.number;
  ++totals_.heads;
  metrics_.count_event("head");
  // On failure the state stays at its last block, and the next head covers this one's logs
  // too: nothing is skipped.
  auto advanced = state_.advance(head);
  if (!advanced) {
    ++totals_.failed_heads;
    log_.event(ops::Level::error, "error", {{"block", block}, {"what", advanced.error()}},
               "block " + std::to_string(block) + ": " + advanced.error());
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
    watchlist_.refresh_all(state_.market(), state_.positions(), next_timestamp);
    watch_rebuilt_ = {block, head.timestamp};
  } else {
    watchlist_.refresh(state_.market(), state_.positions(), advanced->touched, next_timestamp);
  }
  const auto pass = watchlist_.scan(state_.market(), options_.hf_watch_band);
  metrics_.set_accounts(state_.positions().size(), pass.health.size(), pass.in_band);
  metrics_.set_health_factors(pass.health);
  const auto evaluated_at = Clock::now();
  metrics_.observe_stage(ops::Stage::evaluated, evaluated_at - received_at);

  band_ = pass.candidates;  // a tick before the next head starts from these
  strategy::MarketView view{&state_.market(), &state_.positions(), block, next_timestamp, &band_};
  decide_and_act(view, evaluated_at, "head");
  head_decided_ = true;
}

void BlockPipeline::finish_head(const chain::rpc::BlockHeader& head) {
  const std::uint64_t block = head.number;
  if (head_decided_) {  // a head whose state could not be read has nothing to finish
    follow_transactions(block);
    competition_.expire(block);
    report_landed(block, head.timestamp);
    follow_feeds_at(block);
    metrics_.head_processed({block, head.timestamp});
  }
  head_decided_ = false;
}

void BlockPipeline::decide_and_act(strategy::MarketView view, Clock::time_point evaluated_at,
                                   const char* source) {
  view.fees = &fees_;
  view.gas = &gas_;
  view.competitor_tips = &competition_.tips();
  if (inventory_ && inventory_->read()) view.inventory = &inventory_->available();
  const auto actions = strategy_.process_event(strategy::NewBlock{view});
  const auto decided_at = Clock::now();
  std::vector<strategy::LiquidateAction> liquidations;
  liquidations.reserve(actions.size());
  for (const auto& action : actions) {
    if (const auto* l = std::get_if<strategy::LiquidateAction>(&action)) {
      liquidations.push_back(*l);
    } else {
      const auto& skip = std::get<strategy::SkipAction>(action);
      report_skip(skip.account, skip.reason, view.block, source, skip.gross_profit_usd);
    }
  }
  if (!liquidations.empty()) metrics_.observe_stage(ops::Stage::decided, decided_at - evaluated_at);
  totals_.opportunities += liquidations.size();
  metrics_.count_opportunity(liquidations.size());
  if (options_.dry_run) {
    for (const auto& a : liquidations) report_dry_run(a, view.block, source);
  } else if (!liquidations.empty()) {
    execute(liquidations, view.block, decided_at, source);
  }
}

void BlockPipeline::follow_feeds_at(std::uint64_t block) {
  std::vector<Address> sources;
  for (const auto& r : state_.market().reserves) sources.push_back(r.price_source);
  if (feeds_block_ && sources == feed_sources_ && block < *feeds_block_ + kFeedRefollowBlocks)
    return;
  auto feeds = follow_feeds(rpc_, state_.market(), block);
  if (!feeds) {
    log_.event(ops::Level::warn, "feeds", {{"block", block}, {"what", feeds.error()}},
               "following the price feeds: " + feeds.error());
    return;
  }
  feeds_block_ = block;
  feed_sources_ = std::move(sources);
  if (*feeds == feeds_) return;
  feeds_ = std::move(*feeds);
  json emitters = json::array();
  for (const auto& [emitter, reserves] : feeds_) emitters.push_back(emitter.checksummed());
  log_.info("feeds", {{"block", block}, {"emitters", emitters}},
            "following " + std::to_string(feeds_.size()) + " price feed aggregators");
  if (on_feeds_changed_) on_feeds_changed_(feeds_);
}

void BlockPipeline::on_price_log(const chain::rpc::Log& log, Clock::time_point received_at) {
  if (!state_.ready() || log.removed) return;
  auto event = aave::decode_event({log.address, log.topics, log.data});
  if (!event) return;
  const auto* answer = std::get_if<aave::AnswerUpdated>(&*event);
  const auto feed = feeds_.find(log.address);
  if (answer == nullptr || feed == feeds_.end()) return;
  metrics_.count_event("price_tick");
  // AaveOracle falls back elsewhere on a non-positive answer: leave that to the head's read.
  if (answer->negative() || answer->current == 0) return;
  auto plan = plan_tick(state_.market(), watchlist_, band_, feed->second, answer->current);
  if (!plan) return;
  const auto& chosen = plan->candidates;
  const auto evaluated_at = Clock::now();
  metrics_.observe_stage(ops::Stage::evaluated, evaluated_at - received_at);
  if (log_.enabled(ops::Level::debug))
    log_.event(ops::Level::debug, "price_tick",
               {{"block", log.block_number},
                {"aggregator", log.address.checksummed()},
                {"answer", chain::to_dec(answer->current)},
                {"candidates", chosen.size()}},
               "price tick from " + log.address.checksummed() + ": " +
                   std::to_string(chosen.size()) + " candidates");
  // The block carrying the tick is newer than our state; its timestamp is at least now.
  const auto now_s =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  const std::uint64_t timestamp = std::max(last_head_timestamp_ + 1, now_s);
  strategy::MarketView view{&plan->market, &state_.positions(), state_.block(), timestamp, &chosen};
  decide_and_act(view, evaluated_at, "tick");
}

void BlockPipeline::on_pending_transaction(const chain::rpc::PendingTransaction& tx,
                                           Clock::time_point received_at) {
  if (!state_.ready()) return;
  const auto seen = competition_.observe(tx, fees_.next_base_fee_wei, state_.block());
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
           competition_.max_fees().at(seen->account), state_.block());
    return;
  }
  // Not ours yet: is it liquidatable by our exact evaluation, and worth beating that tip?
  const std::vector<Address> chosen{seen->account};
  strategy::MarketView view{&state_.market(), &state_.positions(), state_.block(),
                            last_head_timestamp_ + 1, &chosen};
  const auto evaluated_at = Clock::now();
  metrics_.observe_stage(ops::Stage::evaluated, evaluated_at - received_at);
  decide_and_act(view, evaluated_at, "mempool");
}

void BlockPipeline::outbid(const Address& account, const chain::u256& tip,
                           const chain::u256& max_fee, std::uint64_t block) {
  const auto it = std::find_if(pending_.begin(), pending_.end(),
                               [&](const auto& p) { return p.second.account == account; });
  if (it == pending_.end()) return;
  const Pending& ours = it->second;
  const chain::u256 needed = tip + 1;
  // A builder takes a sender's transactions in nonce order, so ours for this account goes first
  // only if every earlier one of ours pays at least as much: those are lifted too, each within
  // what its own liquidation can pay (an approval or a gap filler within the tip cap).
  std::optional<std::string> refused;
  std::uint64_t lifted = 0;
  for (const auto nonce : manager_->in_flight_nonces()) {
    if (nonce > ours.nonce) break;
    const auto current = manager_->tip_of(nonce);
    if (!current || *current >= needed) continue;
    chain::u256 bound = options_.max_priority_fee_wei;
    for (const auto& [key, p] : pending_)
      if (p.nonce == nonce) bound = p.max_affordable_tip;
    auto sent = manager_->outbid(nonce, needed, max_fee + 1, bound, block);
    if (!sent) {
      refused = "nonce " + std::to_string(nonce) + ": " + sent.error().message;
      break;
    }
    ++lifted;
    if (nonce == ours.nonce) {
      metrics_.count_transaction("outbid");
      log_.info("outbid",
                {{"account", account.checksummed()},
                 {"nonce", sent->nonce},
                 {"tx", chain::hex_encode(sent->hash)},
                 {"lifted", lifted},
                 {"competitor_tip_gwei", chain::to_double(tip) / 1e9}},
                account.checksummed() + ": replaced our pending liquidation (nonce " +
                    std::to_string(sent->nonce) + ", and " + std::to_string(lifted - 1) +
                    " before it) to tip above a competitor's " +
                    std::to_string(chain::to_double(tip) / 1e9) + " gwei");
    }
  }
  if (!refused) return;
  metrics_.count_skip("outbid");
  log_.info("outbid_let_go",
            {{"account", account.checksummed()},
             {"competitor_tip_gwei", chain::to_double(tip) / 1e9},
             {"max_tip_gwei", chain::to_double(ours.max_affordable_tip) / 1e9},
             {"why", *refused}},
            account.checksummed() + ": a competitor bids more than keeper can pay (" + *refused +
                "); letting it go");
}

json BlockPipeline::describe(const strategy::LiquidateAction& a, std::uint64_t block,
                             const char* source, std::string& summary) const {
  const auto& o = a.opportunity;
  const auto& m = state_.market();
  summary = o.account.checksummed() + " HF " + hf_text(o.outcome.health_factor) + " " +
            m.reserves[o.collateral].symbol + "/" + m.reserves[o.debt].symbol + " cover " +
            chain::to_dec(o.debt_to_cover) + " expected profit " + money(a.profit_usd);
  return {{"block", block},
          {"account", o.account.checksummed()},
          {"health_factor", hf_value(o.outcome.health_factor)},
          {"collateral", m.reserves[o.collateral].symbol},
          {"debt", m.reserves[o.debt].symbol},
          {"debt_to_cover", chain::to_dec(o.debt_to_cover)},
          {"expected_profit_usd", a.profit_usd},
          {"source", source}};
}

void BlockPipeline::report_dry_run(const strategy::LiquidateAction& a, std::uint64_t block,
                                   const char* source) {
  // A tick and the head after it usually find the same liquidation: the head does not report it
  // again. (Later heads do: in a dry run nothing takes it.)
  const std::string pair = a.opportunity.account.checksummed() + ":" +
                           a.collateral_asset.checksummed() + ":" + a.debt_asset.checksummed();
  if (std::string_view{source} == "tick") {
    dry_run_ticked_[pair] = block;
  } else if (const auto it = dry_run_ticked_.find(pair); it != dry_run_ticked_.end()) {
    const bool same_opportunity = block <= it->second + 1;
    dry_run_ticked_.erase(it);
    if (same_opportunity) return;
  }
  std::string summary;
  json f = describe(a, block, source, summary);
  const auto intent = liquidation_intent(a);
  const chain::rpc::CallRequest call{wallet_, intent.to, intent.data, std::nullopt, std::nullopt};
  auto sim = rpc_.eth_call(call, "latest");
  f["simulation"] = sim ? "ok"
                        : (sim.error().revert_data
                               ? chain::abi::decode_revert(*sim.error().revert_data).to_string()
                               : sim.error().to_string());
  ++totals_.dry_run_reports;
  log_.info("would_liquidate", f, summary + ", simulation " + f["simulation"].get<std::string>());
}

tx::Intent BlockPipeline::liquidation_intent(const strategy::LiquidateAction& a) const {
  if (!options_.liquidator_contract)
    return {intent_key(a), contracts_.pool, liquidation_call(a), 0};
  const auto& o = a.opportunity;
  const auto& debt = state_.market().reserves[o.debt];
  chain::u256 scaled_debt = 0;
  if (const auto it = state_.positions().find(o.account); it != state_.positions().end())
    if (const auto* p = it->second.position(o.debt)) scaled_debt = p->scaled_variable_debt;
  // The contract stops for ~36k gas when the chain holds less scaled debt than keeper saw:
  // someone else liquidated or repaid first.
  const liquidator::LiquidateArgs args{
      a.collateral_asset,       a.debt_asset, o.account,        o.debt_to_cover,
      debt.variable_debt_token, scaled_debt,  a.receive_a_token};
  return {intent_key(a), *options_.liquidator_contract,
          liquidator::liquidate_calldata(args).value(), 0};
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

void BlockPipeline::refresh_inventory(std::uint64_t block) {
  if (!inventory_) return;
  std::vector<Address> assets;
  assets.reserve(state_.market().reserves.size());
  for (const auto& r : state_.market().reserves) assets.push_back(r.asset);
  auto short_allowance = inventory_->refresh(assets, block);
  if (!short_allowance) {
    log_.event(ops::Level::warn, "inventory", {{"block", block}, {"what", short_allowance.error()}},
               short_allowance.error());
    return;
  }
  inventory_stale_ = false;
  if (log_.enabled(ops::Level::debug)) {
    json held = json::object();
    for (const auto& [asset, amount] : inventory_->available())
      if (const auto* r = state_.market().reserve_of(asset))
        held[r->symbol] = chain::to_dec(amount);
    log_.event(ops::Level::debug, "inventory", {{"block", block}, {"available", held}},
               "inventory at block " + std::to_string(block) + ": " + held.dump());
  }
  // The Pool (or keeper's contract) pulls the debt asset from the wallet, approved once per
  // asset, here and not on a liquidation's path (a liquidation sent after it in nonce order sees
  // it).
  const Address spender = liquidator_spender();
  for (const auto& asset : *short_allowance) {
    if (approved_.count(asset)) continue;
    const tx::Intent approve{
        "approve:" + asset.checksummed() + ":" + spender.checksummed(), asset,
        chain::abi::encode_call(
            "approve(address,uint256)",
            chain::abi::Values{chain::abi::Value{spender}, chain::abi::Value{chain::kU256Max}})
            .value(),
        0};
    auto r = manager_->submit(approve, block);
    if (r || r.error().kind == tx::SubmitErrorKind::duplicate) approved_.insert(asset);
    if (!r && r.error().kind != tx::SubmitErrorKind::duplicate)
      log_.event(ops::Level::warn, "approve",
                 {{"asset", asset.checksummed()}, {"what", r.error().message}},
                 "approving " + asset.checksummed() + ": " + r.error().message);
  }
}

void BlockPipeline::execute(const std::vector<strategy::LiquidateAction>& actions,
                            std::uint64_t block, Clock::time_point decided_at, const char* source) {
  std::vector<const strategy::LiquidateAction*> chosen;
  std::vector<tx::Order> orders;
  chosen.reserve(actions.size());
  orders.reserve(actions.size());
  for (const auto& a : actions) {
    const auto it = liquidating_.find(a.opportunity.account);
    if (it != liquidating_.end() && manager_->is_in_flight(it->second)) {
      // Our previous liquidation of this account has not landed yet.
      metrics_.count_skip("in_flight");
      continue;
    }
    chosen.push_back(&a);
    orders.push_back({liquidation_intent(a), a.gas_limit, a.bid.max_fee_per_gas,
                      a.bid.max_priority_fee_per_gas});
  }
  // What streams back after send_now returns: the moments each transaction left and was
  // answered, and the node's refusals (undone here: nothing of ours is in flight for them).
  auto sent_for =
      std::make_shared<std::vector<std::pair<std::string, strategy::LiquidateAction>>>();
  sent_for->reserve(chosen.size());
  for (std::size_t i = 0; i < chosen.size(); ++i)
    sent_for->emplace_back(orders[i].intent.key, *chosen[i]);
  const auto observer = [this, sent_for, decided_at](const tx::SendEvent& e) {
    switch (e.kind) {
      case tx::SendEvent::Kind::written:
        metrics_.observe_stage(ops::Stage::written, e.at - e.signed_at);
        metrics_.observe_decided_to_written(e.at - decided_at);
        return;
      case tx::SendEvent::Kind::answered:
        metrics_.observe_stage(ops::Stage::sent, e.at - e.written_at);
        return;
      case tx::SendEvent::Kind::refused: {
        const auto& [key, a] = (*sent_for)[e.index];
        pending_.erase(key);
        liquidating_.erase(a.opportunity.account);
        if (inventory_) inventory_->release(key);
        --totals_.liquidations_sent;
        metrics_.count_skip("send_refused");
        log_.event(ops::Level::warn, "liquidation_refused",
                   {{"account", a.opportunity.account.checksummed()}, {"why", e.message}},
                   a.opportunity.account.checksummed() +
                       ": the node refused the liquidation: " + e.message);
        return;
      }
    }
  };
  const auto results = manager_->send_now(orders, block, observer);
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const auto& a = *chosen[i];
    const auto& sent = results[i];
    std::string summary;
    json f = describe(a, block, source, summary);
    if (!sent && sent.error().kind == tx::SubmitErrorKind::duplicate) {
      report_skip(a.opportunity.account, "duplicate", block, source, a.profit_usd);
      continue;
    }
    if (sent) {
      metrics_.observe_stage(ops::Stage::signed_tx, sent->signed_at - decided_at);
      metrics_.count_transaction("sent");
      ++totals_.liquidations_sent;
      liquidating_[a.opportunity.account] = sent->nonce;
      pending_[orders[i].intent.key] = {a.opportunity.account,
                                        hf_value(a.opportunity.outcome.health_factor),
                                        a.profit_usd,
                                        a.gas_kind,
                                        a.bid.max_affordable_tip,
                                        sent->nonce};
      if (inventory_)
        inventory_->commit(orders[i].intent.key, a.debt_asset, a.opportunity.debt_to_cover);
      last_skip_.erase(a.opportunity.account);
      f["tx"] = chain::hex_encode(sent->hash);
      f["nonce"] = sent->nonce;
      f["tip_gwei"] = chain::to_double(a.bid.max_priority_fee_per_gas) / 1e9;
      log_.info("liquidation_sent", f, summary + ", tx " + chain::hex_encode(sent->hash));
      continue;
    }
    f["error"] = sent.error().message;
    metrics_.count_skip(std::string{"send_"} + std::string{tx::to_string(sent.error().kind)});
    log_.event(ops::Level::warn, "liquidation_failed_to_send", f,
               summary + ": " + sent.error().message);
    if (sent.error().kind == tx::SubmitErrorKind::spend_limit)
      log_.event(ops::Level::warn, "spend_limit", {{"block", block}},
                 "hourly gas spend limit reached: not sending until it frees up");
  }
}

void BlockPipeline::follow_transactions(std::uint64_t block) {
  if (manager_ == nullptr) return;
  const auto now = Clock::now();
  const auto settled = manager_->on_block(block);
  if (!settled.empty()) {
    const auto& c = manager_->counters();
    log_.info("transactions",
              {{"block", block},
               {"mined", c.mined},
               {"reverted", c.reverted},
               {"cancelled", c.cancelled},
               {"replaced", c.replaced},
               {"dropped", c.dropped}},
              "block " + std::to_string(block) + ": mined " + std::to_string(c.mined) +
                  ", reverted " + std::to_string(c.reverted) + ", cancelled " +
                  std::to_string(c.cancelled) + ", dropped " + std::to_string(c.dropped));
  }
  if (!settled.empty()) inventory_stale_ = true;  // re-read at the next head
  for (const auto& s : settled) {
    if (inventory_) inventory_->release(s.intent_key);
    metrics_.count_transaction(std::string{tx::to_string(s.outcome)});
    if (s.outcome == tx::Outcome::reverted) ++totals_.reverted;
    if (s.first_sent_at != Clock::time_point{})
      metrics_.observe_stage(ops::Stage::mined, now - s.first_sent_at);
    const auto p = pending_.find(s.intent_key);
    if (p == pending_.end()) continue;  // an approval, or a liquidation from before a restart
    const Pending expected = p->second;
    pending_.erase(p);
    if (s.receipt) gas_.observe(expected.gas_kind, s.receipt->gas_used);
    if (s.outcome != tx::Outcome::mined || !s.receipt) {
      log_.event(ops::Level::warn, "liquidation_failed",
                 {{"block", block},
                  {"account", expected.account.checksummed()},
                  {"outcome", std::string{tx::to_string(s.outcome)}}},
                 expected.account.checksummed() + ": transaction " +
                     std::string{tx::to_string(s.outcome)});
      continue;
    }
    landed_.push_back({expected, s});
  }
}

void BlockPipeline::report_landed(std::uint64_t block, std::uint64_t timestamp) {
  // The receipt can be from a block newer than the head being processed: its HF after waits for
  // positions read at that block.
  for (auto it = landed_.begin(); it != landed_.end();) {
    const auto& receipt = *it->settlement.receipt;
    if (receipt.block_number > block) {
      ++it;
      continue;
    }
    const Pending& expected = it->expected;
    const auto realised = realised_liquidation(receipt, contracts_.pool, liquidator(),
                                               state_.market(), options_.native_asset);
    if (realised) {
      ++totals_.liquidations_mined;
      totals_.realised_profit_usd += realised->profit_usd;
      metrics_.add_profit_usd(realised->profit_usd);
      chain::u256 hf_after = chain::kU256Max;
      if (const auto p = state_.positions().find(expected.account); p != state_.positions().end())
        if (auto data = aave::account_data(state_.market(), p->second, timestamp))
          hf_after = data->health_factor;
      log_.info("liquidated",
                {{"block", receipt.block_number},
                 {"account", expected.account.checksummed()},
                 {"health_factor_before", expected.health_factor_before},
                 {"health_factor_after", hf_value(hf_after)},
                 {"debt_repaid", chain::to_dec(realised->debt_repaid)},
                 {"collateral_received", chain::to_dec(realised->collateral_received)},
                 {"gas_paid_wei", chain::to_dec(realised->gas_paid_wei)},
                 {"expected_profit_usd", expected.expected_profit_usd},
                 {"realised_profit_usd", realised->profit_usd},
                 {"tx", chain::hex_encode(receipt.transaction_hash)}},
                expected.account.checksummed() + " liquidated in block " +
                    std::to_string(receipt.block_number) + ": HF " +
                    std::to_string(expected.health_factor_before) + " -> " + hf_text(hf_after) +
                    ", profit " + money(realised->profit_usd) + " (expected " +
                    money(expected.expected_profit_usd) + ")");
    }
    it = landed_.erase(it);
  }
}

}  // namespace keeper::daemon
