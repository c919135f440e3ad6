// The engine's side of sending and following: liquidations handed to the transaction manager,
// what streams back about them, approvals, outbidding, and landed liquidations reported.
#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "keeper/engine/block_pipeline.hpp"
#include "keeper/engine/reporting.hpp"

namespace keeper::engine {
namespace {

using chain::Address;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

}  // namespace

void BlockPipeline::refresh_inventory(std::uint64_t block) {
  if (!inventory_) return;
  auto short_allowance = inventory_->refresh(protocol_.debt_assets(), block);
  if (!short_allowance) {
    log_.event(ops::Level::warn, "inventory", {{"block", block}, {"what", short_allowance.error()}},
               short_allowance.error());
    return;
  }
  inventory_stale_ = false;
  if (log_.enabled(ops::Level::debug)) {
    json held = json::object();
    for (const auto& [asset, amount] : inventory_->available())
      held[protocol_.symbol(asset)] = chain::to_dec(amount);
    log_.event(ops::Level::debug, "inventory", {{"block", block}, {"available", held}},
               "inventory at block " + std::to_string(block) + ": " + held.dump());
  }
  // The protocol (or keeper's contract) pulls the debt asset from the wallet, approved once per
  // asset, here and not on a liquidation's path (a liquidation sent after it in nonce order sees
  // it).
  const Address spender = liquidator_spender();
  // The contract spending its own balance needs nobody's approval.
  if (options_.funding == strategy::Funding::contract) return;
  for (const auto& asset : *short_allowance) {
    if (approved_.count(asset)) continue;
    auto data = chain::abi::encode_call(
        "approve(address,uint256)",
        chain::abi::Values{chain::abi::Value{spender}, chain::abi::Value{chain::kU256Max}});
    if (!data) continue;  // a fixed signature: cannot fail
    const tx::Intent approve{"approve:" + asset.checksummed() + ":" + spender.checksummed(), asset,
                             std::move(*data), 0};
    auto r = manager_->submit(approve, block);
    if (r || r.error().kind == tx::SubmitErrorKind::duplicate) approved_.insert(asset);
    if (!r && r.error().kind != tx::SubmitErrorKind::duplicate)
      log_.event(ops::Level::warn, "approve",
                 {{"asset", asset.checksummed()}, {"what", r.error().message}},
                 "approving " + asset.checksummed() + ": " + r.error().message);
  }
}

tx::SendObserver BlockPipeline::send_observer(
    std::vector<std::pair<std::string, strategy::LiquidateAction>> sent_for,
    Clock::time_point decided_at) {
  auto shared = std::make_shared<decltype(sent_for)>(std::move(sent_for));
  return [this, shared, decided_at](const tx::SendEvent& e) {
    switch (e.kind) {
      case tx::SendEvent::Kind::written:
        metrics_.observe_stage(ops::Stage::written, e.at - e.signed_at);
        metrics_.observe_decided_to_written(e.at - decided_at);
        return;
      case tx::SendEvent::Kind::answered:
        metrics_.observe_stage(ops::Stage::sent, e.at - e.written_at);
        return;
      case tx::SendEvent::Kind::refused: {
        // The node said no: nothing of ours is in flight for it.
        if (e.index >= shared->size()) return;
        const auto& [key, a] = (*shared)[e.index];
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
}

std::optional<std::string> BlockPipeline::still_ours(const Address& account,
                                                     std::uint64_t block) const {
  const auto it = liquidating_.find(account);
  if (it == liquidating_.end()) return std::nullopt;
  if (manager_->is_in_flight(it->second)) return "in_flight";
  // Settled, but in a block after the state's: the state still shows the account as it was
  // before, and liquidating it again would pay for a no-op or a revert.
  const auto landed = manager_->landed_in(it->second);
  if (landed && *landed > block) return "landed_ahead_of_state";
  return std::nullopt;
}

bool BlockPipeline::inherited_unseen(std::uint64_t block) {
  if (inherited_.empty()) return false;
  std::erase_if(inherited_, [&](std::uint64_t nonce) {
    if (manager_->is_in_flight(nonce)) return false;
    const auto landed = manager_->landed_in(nonce);
    return !landed || *landed <= block;
  });
  if (inherited_.empty())
    log_.info("inherited", {{"block", block}, {"in_flight", 0}},
              "the transactions of a previous process are settled and shown by the state at "
              "block " +
                  std::to_string(block) + ": sending");
  return !inherited_.empty();
}

void BlockPipeline::execute(const std::vector<strategy::LiquidateAction>& actions,
                            std::uint64_t block, Clock::time_point decided_at, const char* source,
                            const Backrun* backrun) {
  std::vector<bool> went_out(actions.size(), false);
  if (manager_ == nullptr) {  // a standby follower: decided, nothing to hand over
    retract_unsent(actions, went_out);
    return;
  }
  if (inherited_unseen(block)) {
    // Decided on a view that cannot see what the inherited transactions will do first (take an
    // account, move a pool, spend a balance): sent beside them, a liquidation may revert.
    metrics_.count_skip("inherited_in_flight", actions.size());
    retract_unsent(actions, went_out);
    return;
  }
  std::vector<const strategy::LiquidateAction*> chosen;
  std::vector<tx::Order> orders;
  chosen.reserve(actions.size());
  orders.reserve(actions.size());
  for (const auto& a : actions) {
    if (const auto why = still_ours(a.opportunity.account, block)) {
      // Our previous liquidation of this account has not landed yet, or the state does not
      // show it yet.
      metrics_.count_skip(*why);
      continue;
    }
    if (backrun != nullptr && !backrun->via_auction && !options_.liquidator_contract &&
        submission_ != Submission::bundle) {
      // Should the update be dropped, a direct call in public would revert at full cost; the
      // contract's re-check makes it a cheap no-op (and a bundle cannot land without it).
      report_skip(a.opportunity.account, "backrun_needs_contract", block, source, a.profit_usd);
      continue;
    }
    if (backrun != nullptr && !backrun->via_auction && backrun->raw_update.empty() &&
        submission_ == Submission::bundle) {
      report_skip(a.opportunity.account, "update_not_rebuildable", block, source, a.profit_usd);
      continue;
    }
    auto intent = liquidation_intent(a);
    if (!intent) {
      report_skip(a.opportunity.account, "encoding", block, source, a.profit_usd);
      continue;
    }
    chosen.push_back(&a);
    if (backrun != nullptr && !backrun->via_auction) {
      const auto fees =
          clamp_backrun_fees(backrun->fees, a.bid.max_affordable_tip, options_.max_fee_per_gas_wei);
      orders.push_back({std::move(*intent), a.gas_limit, fees.max_fee_per_gas, fees.tip});
    } else {
      orders.push_back(
          {std::move(*intent), a.gas_limit, a.bid.max_fee_per_gas, a.bid.max_priority_fee_per_gas});
    }
  }
  std::vector<std::pair<std::string, strategy::LiquidateAction>> sent_for;
  sent_for.reserve(chosen.size());
  for (std::size_t i = 0; i < chosen.size(); ++i)
    sent_for.emplace_back(orders[i].intent.key, *chosen[i]);
  // Private: to builders only, or to an auction (which alone can place it behind a hinted update).
  const bool private_only =
      submission_ == Submission::bundle || (backrun != nullptr && backrun->via_auction);
  const std::uint64_t last_private_block = backrun != nullptr && backrun->via_auction
                                               ? block + auction_blocks_
                                           : bundles_ != nullptr ? bundles_->last_block(block + 1)
                                                                 : block + 1;
  const auto results =
      private_only
          ? manager_->sign_for_bundle(orders, block, last_private_block)
          : manager_->send_now(orders, block, send_observer(std::move(sent_for), decided_at));
  std::vector<tx::Submitted> to_bundle, to_auction;
  for (std::size_t i = 0; i < chosen.size() && i < results.size(); ++i) {
    const auto& a = *chosen[i];
    const auto& sent = results[i];
    std::string summary;
    json f = describe(a, block, source, summary);
    if (!sent && sent.error().kind == tx::SubmitErrorKind::duplicate) {
      report_skip(a.opportunity.account, "duplicate", block, source, a.profit_usd);
      continue;
    }
    if (sent) {
      went_out[static_cast<std::size_t>(chosen[i] - actions.data())] = true;
      metrics_.observe_stage(ops::Stage::signed_tx, sent->signed_at - decided_at);
      metrics_.count_transaction("sent");
      ++totals_.liquidations_sent;
      liquidating_[a.opportunity.account] = sent->nonce;
      pending_[orders[i].intent.key] = {
          a.opportunity.account,
          hf_value(a.opportunity.health_factor),
          a.profit_usd,
          a.gas_kind,
          a.bid.max_affordable_tip,
          sent->nonce,
          a.flash ? std::optional<chain::u256>{a.flash->profit} : std::nullopt,
          a.opportunity.debt_asset,
          backrun != nullptr ? std::optional<chain::Hash>{backrun->update} : std::nullopt};
      if (inventory_)
        inventory_->commit(orders[i].intent.key, a.opportunity.debt_asset,
                           a.opportunity.debt_to_cover);
      last_skip_.erase(a.opportunity.account);
      f["tx"] = chain::hex_encode(sent->hash);
      f["nonce"] = sent->nonce;
      f["tip_gwei"] = chain::to_double(orders[i].max_priority_fee_per_gas) / 1e9;
      if (backrun != nullptr && backrun->via_auction)
        to_auction.push_back(*sent);
      else if (bundles_ != nullptr)
        to_bundle.push_back(*sent);
      if (backrun != nullptr) {
        ++totals_.backruns_sent;
        metrics_.count_transaction("backrun");
        f["backrun_of"] = chain::hex_encode(backrun->update);
        summary += ", backrun of " + chain::hex_encode(backrun->update);
      }
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
  retract_unsent(actions, went_out);
  if (!to_auction.empty()) offer_to_auction(to_auction, *backrun, block);
  if (!to_bundle.empty()) offer_bundle(to_bundle, backrun, block);
}

void BlockPipeline::retract_unsent(const std::vector<strategy::LiquidateAction>& actions,
                                   const std::vector<bool>& went_out) {
  if (pools_ == nullptr) return;
  std::vector<strategy::SwapRoute> unsent;
  for (std::size_t i = 0; i < actions.size(); ++i)
    if (!went_out[i] && actions[i].flash) unsent.push_back(actions[i].flash->route);
  pools_->retract_sold(unsent);
}

void BlockPipeline::offer_bundle(const std::vector<tx::Submitted>& sent, const Backrun* backrun,
                                 std::uint64_t block) {
  // One bundle per batch: the update first when backrunning (so it lands behind it or not at
  // all), then our liquidations in nonce order. Through keeper's contract a liquidation someone
  // else took exits cheaply instead of reverting, so one lost account does not sink the rest.
  executors::Bundle bundle;
  std::optional<chain::Hash> update;
  if (backrun != nullptr && !backrun->raw_update.empty()) {
    bundle.txs.push_back(backrun->raw_update);
    update = backrun->update;
  }
  const auto& entries = manager_->journal().entries();
  for (const auto& s : sent)
    if (const auto ours = entries.find(s.hash); ours != entries.end())
      bundle.txs.push_back(ours->second.raw);
  bundle.block_number = block + 1;
  const std::size_t size = bundle.txs.size();
  const auto id = bundles_->submit(std::move(bundle));
  ++totals_.bundles_offered;
  metrics_.count_transaction("bundled");
  if (update) bundles_by_update_[*update].push_back(id);
  for (const auto& s : sent) bundled_[s.nonce] = {id, update};
  json f{{"block", block + 1}, {"bundle", id}, {"transactions", size}};
  if (update) f["backrun_of"] = chain::hex_encode(*update);
  log_.info("bundle_sent", f,
            "bundle " + std::to_string(id) + " of " + std::to_string(size) +
                " transactions offered for block " + std::to_string(block + 1) +
                (update ? " behind " + chain::hex_encode(*update) : std::string{}));
}

void BlockPipeline::offer_to_auction(const std::vector<tx::Submitted>& sent, const Backrun& backrun,
                                     std::uint64_t block) {
  // One mev_sendBundle per liquidation (MEV-Share takes one backrun per bundle): each
  // [{hash: update}, {tx: ours, canRevert: false}] for the next auction_blocks_ blocks. One that
  // never lands is released by the transaction manager after its last block (it was never
  // public), so a lost auction costs nothing.
  const auto& entries = manager_->journal().entries();
  for (const auto& s : sent) {
    const auto ours = entries.find(s.hash);
    if (ours == entries.end()) continue;
    const auto id =
        auctions_->send(backrun.update, ours->second.raw, block + 1, block + auction_blocks_);
    if (!id) {
      metrics_.count_skip("auction_" + std::string{ofa::describe(id.error())});
      continue;
    }
    metrics_.count_transaction("auctioned");
    log_.info("auction_backrun_sent",
              {{"update", chain::hex_encode(backrun.update)},
               {"tx", chain::hex_encode(s.hash)},
               {"nonce", s.nonce},
               {"from_block", block + 1},
               {"to_block", block + auction_blocks_}},
              "mev_sendBundle backrun of " + chain::hex_encode(backrun.update) + ": tx " +
                  chain::hex_encode(s.hash) + " for blocks " + std::to_string(block + 1) + ".." +
                  std::to_string(block + auction_blocks_));
  }
}

void BlockPipeline::bundle_landed(std::uint64_t nonce, const chain::Hash& hash) {
  const auto it = bundled_.find(nonce);
  if (it == bundled_.end() || bundles_ == nullptr) return;
  if (it->second.update) bundles_->included(*it->second.update);
  bundles_->included(hash);
  bundled_.erase(it);
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
               {"dropped", c.dropped},
               {"reorged_out", c.reorged_out},
               {"resent", c.resent}},
              "block " + std::to_string(block) + ": mined " + std::to_string(c.mined) +
                  ", reverted " + std::to_string(c.reverted) + ", cancelled " +
                  std::to_string(c.cancelled) + ", dropped " + std::to_string(c.dropped));
    inventory_stale_ = true;  // re-read at the next head
  }
  for (const auto& s : settled) {
    if (inventory_) inventory_->release(s.intent_key);
    if (s.receipt) bundle_landed(s.nonce, s.receipt->transaction_hash);
    bundled_.erase(s.nonce);  // settled either way: its bundle has nothing left to wait for
    metrics_.count_transaction(std::string{tx::to_string(s.outcome)});
    if (s.outcome == tx::Outcome::reverted) ++totals_.reverted;
    if (s.first_sent_at != Clock::time_point{})
      metrics_.observe_stage(ops::Stage::mined, now - s.first_sent_at);
    const auto p = pending_.find(s.intent_key);
    if (p == pending_.end()) continue;  // an approval, or a liquidation from before a restart
    const Pending expected = p->second;
    pending_.erase(p);
    // A revert burned at least what its receipt says (all of its limit when it ran out of gas):
    // that may raise the kind's figure, never lower it. What a mined one teaches waits for
    // report_landed to know whether it liquidated.
    if (s.receipt && s.outcome == tx::Outcome::reverted &&
        s.receipt->gas_used > gas_.expected(expected.gas_kind))
      gas_.observe(expected.gas_kind, s.receipt->gas_used);
    if (s.outcome == tx::Outcome::unsent) {
      // A private offer that no builder or auction included: it never existed in public and
      // its nonce is free again; the account is evaluated afresh at the next head.
      if (const auto l = liquidating_.find(expected.account);
          l != liquidating_.end() && l->second == s.nonce)
        liquidating_.erase(l);
      log_.info("liquidation_not_landed",
                {{"block", block}, {"account", expected.account.checksummed()}, {"nonce", s.nonce}},
                expected.account.checksummed() + ": private offer ended without inclusion; nonce " +
                    std::to_string(s.nonce) + " released at no cost");
      continue;
    }
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
  // state read at that block.
  for (auto it = landed_.begin(); it != landed_.end();) {
    const auto& receipt = *it->settlement.receipt;
    if (receipt.block_number > block) {
      ++it;
      continue;
    }
    const Pending& expected = it->expected;
    if (const auto realised = protocol_.realised(receipt, liquidator())) {
      gas_.observe(expected.gas_kind, receipt.gas_used);
      ++totals_.liquidations_mined;
      totals_.realised_profit_usd += realised->profit_usd;
      metrics_.add_profit_usd(realised->profit_usd);
      const auto hf_after = protocol_.health_factor(expected.account, timestamp);
      json f{{"block", receipt.block_number},
             {"account", expected.account.checksummed()},
             {"health_factor_before", expected.health_factor_before},
             {"health_factor_after", hf_value(hf_after)},
             {"debt_repaid", chain::to_dec(realised->debt_repaid)},
             {"collateral_received", chain::to_dec(realised->collateral_received)},
             {"gas_paid_wei", chain::to_dec(realised->gas_paid_wei)},
             {"expected_profit_usd", expected.expected_profit_usd},
             {"realised_profit_usd", realised->profit_usd},
             {"tx", chain::hex_encode(receipt.transaction_hash)}};
      if (expected.backrun_of) f["backrun_of"] = chain::hex_encode(*expected.backrun_of);
      std::string flash_note;
      if (expected.expected_flash_profit && realised->flash_profit) {
        // Both in the debt asset before gas: how exactly the pools and the protocol were
        // predicted, free of the gas estimate.
        const double predicted = chain::to_double(*expected.expected_flash_profit);
        const double got = chain::to_double(*realised->flash_profit);
        const double deviation = predicted == 0 ? 0 : (got - predicted) / predicted;
        f["expected_flash_profit"] = chain::to_dec(*expected.expected_flash_profit);
        f["realised_flash_profit"] = chain::to_dec(*realised->flash_profit);
        f["flash_profit_deviation"] = deviation;
        flash_note = ", flash profit " + chain::to_dec(*realised->flash_profit) + " " +
                     protocol_.symbol(expected.debt_asset) + " units (predicted " +
                     chain::to_dec(*expected.expected_flash_profit) + ")";
      }
      log_.info("liquidated", f,
                expected.account.checksummed() + " liquidated in block " +
                    std::to_string(receipt.block_number) + ": HF " +
                    std::to_string(expected.health_factor_before) + " -> " + hf_text(hf_after) +
                    ", profit " + money(realised->profit_usd) + " (expected " +
                    money(expected.expected_profit_usd) + ")" + flash_note);
    } else {
      // Mined without liquidating: keeper's contract found the account no longer liquidatable
      // (someone was first, or the update a backrun counted on never came) and exited cheaply.
      // Its gas (~38k on the devnet) is not what the kind costs: learned as the kind's figure,
      // it set the next liquidation's limit at 62k where 1.1M was needed, and as each
      // out-of-gas revert raised it by 62%, that kind reverted six times in a row.
      metrics_.count_skip("landed_noop");
      json f{{"block", receipt.block_number},
             {"account", expected.account.checksummed()},
             {"gas_used", receipt.gas_used},
             {"tx", chain::hex_encode(receipt.transaction_hash)}};
      if (expected.backrun_of) f["backrun_of"] = chain::hex_encode(*expected.backrun_of);
      log_.event(ops::Level::warn, "liquidation_noop", f,
                 expected.account.checksummed() + ": mined in block " +
                     std::to_string(receipt.block_number) +
                     " without liquidating (no longer liquidatable), gas " +
                     std::to_string(receipt.gas_used));
    }
    it = landed_.erase(it);
  }
}

}  // namespace keeper::engine
