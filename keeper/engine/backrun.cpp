// The backrun path: an oracle update seen in the mempool is priced before it is mined, and the
// accounts it makes liquidatable are sent for, to land in its own block right behind it.
#include "chain/hex.hpp"
#include "chain/rpc/raw_transaction.hpp"
#include "keeper/engine/block_pipeline.hpp"
#include "keeper/engine/price_tick.hpp"
#include "oracles/chainlink/pending_update.hpp"

namespace keeper::engine {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The aggregator's int256 as its AnswerUpdated log carries it: two's complement in 256 bits.
chain::u256 twos_complement(const chain::i256& v) {
  if (v >= 0) return chain::u256{v};
  return chain::u256{0} - chain::u256{-v};
}

}  // namespace

void BlockPipeline::on_pending_update(const chain::rpc::PendingTransaction& tx,
                                      Clock::time_point received_at) {
  const auto update = oracles::chainlink::decode_update(tx.input);
  if (!update) {
    // Admin calls to the aggregator are no updates; anything else malformed is counted.
    if (update.error() != oracles::chainlink::UpdateError::unknown_selector) {
      metrics_.count_event("pending_update_malformed");
      log_.event(ops::Level::debug, "pending_update",
                 {{"tx", chain::hex_encode(tx.hash)},
                  {"what", std::string{oracles::chainlink::describe(update.error())}}},
                 "malformed oracle update " + chain::hex_encode(tx.hash) + ": " +
                     std::string{oracles::chainlink::describe(update.error())});
    }
    return;
  }
  const auto seen = pending_updates_.observe(tx, protocol_.block());
  if (!seen.fresh) return;  // the same transaction again (a reconnect, a second node)
  metrics_.count_event("pending_update");
  const std::string hash = chain::hex_encode(tx.hash);
  if (seen.replaced) {
    // The liquidations sent behind the earlier one either land behind this one too (the
    // replacement pays more) or, with another answer, meet the contract's re-check.
    metrics_.count_event("pending_update_replaced");
    log_.info("update_replaced", {{"tx", hash}, {"replaced", chain::hex_encode(*seen.replaced)}},
              "oracle update " + chain::hex_encode(*seen.replaced) + " replaced by " + hash);
    // Bundles built on the earlier one can never land: withdrawn.
    if (const auto it = bundles_by_update_.find(*seen.replaced); it != bundles_by_update_.end()) {
      for (const auto id : it->second) bundles_->cancel(id);
      bundles_by_update_.erase(it);
    }
  }
  auto moves = protocol_.price_moves_for_answer(*tx.to, twos_complement(update->answer));
  if (!moves || moves->empty()) return;  // not a price this market reads, or one it holds
  const auto fees = backrun_fees(tx, fees_.next_base_fee_wei);
  if (!fees) {
    metrics_.count_skip("update_below_base_fee");
    log_.info("pending_update", {{"tx", hash}, {"aggregator", tx.to->checksummed()}},
              "oracle update " + hash + " cannot pay the next base fee: not backrun");
    return;
  }
  Backrun backrun{tx.hash, *tx.to, *fees, {}, false};
  if (bundles_ != nullptr) {
    // A bundle carries the update itself, so it lands behind it or not at all.
    if (auto raw = chain::rpc::signed_bytes(tx)) {
      backrun.raw_update = std::move(*raw);
    } else {
      metrics_.count_event("update_not_rebuildable");
      log_.event(ops::Level::warn, "pending_update",
                 {{"tx", hash}, {"what", std::string{chain::rpc::describe(raw.error())}}},
                 "oracle update " + hash +
                     " cannot be bundled: " + std::string{chain::rpc::describe(raw.error())});
    }
  }
  log_.info("pending_update",
            {{"tx", hash},
             {"aggregator", tx.to->checksummed()},
             {"answer", update->answer.str()},
             {"kind", std::string{oracles::chainlink::describe(update->kind)}}},
            "oracle update " + hash + " in the mempool (" +
                std::string{oracles::chainlink::describe(update->kind)} + ", answer " +
                update->answer.str() + ")");
  backrun_at(std::move(*moves), backrun, received_at);
}

void BlockPipeline::on_hinted_update(const chain::Address& aggregator, const chain::i256& answer,
                                     const chain::Hash& update_hash,
                                     Clock::time_point received_at) {
  if (!protocol_.ready() || auctions_ == nullptr) return;
  metrics_.count_event("hinted_update");
  auto moves = protocol_.price_moves_for_answer(aggregator, twos_complement(answer));
  if (!moves || moves->empty()) return;
  const std::string hash = chain::hex_encode(update_hash);
  log_.info(
      "hinted_update",
      {{"update", hash}, {"aggregator", aggregator.checksummed()}, {"answer", answer.str()}},
      "oracle update " + hash + " hinted by an order-flow auction (answer " + answer.str() + ")");
  // No transaction to order behind: the auction places the backrun, the bid is its tip.
  backrun_at(std::move(*moves), Backrun{update_hash, aggregator, {}, {}, true}, received_at);
}

void BlockPipeline::backrun_at(std::vector<strategy::PriceMove> moves, const Backrun& backrun,
                               Clock::time_point received_at) {
  const auto plan = plan_tick(protocol_, watchlist_, band_, std::move(moves));
  const auto evaluated_at = Clock::now();
  metrics_.observe_stage(ops::Stage::evaluated, evaluated_at - received_at);
  if (log_.enabled(ops::Level::debug))
    log_.event(
        ops::Level::debug, "backrun_candidates",
        {{"update", chain::hex_encode(backrun.update)}, {"candidates", plan.candidates.size()}},
        std::to_string(plan.candidates.size()) + " candidates behind " +
            chain::hex_encode(backrun.update));
  // Mined in the next block at the earliest: its timestamp is at least the last head's + 1.
  strategy::MarketView view;
  view.protocol = &protocol_;
  view.block = protocol_.block();
  view.timestamp = last_head_timestamp_ + 1;
  view.candidates = &plan.candidates;
  view.moves = plan.moves;
  decide_and_act(view, evaluated_at, "backrun", &backrun);
}

}  // namespace keeper::engine
