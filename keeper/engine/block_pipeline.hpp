#pragma once
// The engine: what keeper does with each event the collectors bring, for one lending protocol.
// A head brings the protocol's state to that block, ranks every account, lets the strategy choose
// and hands each liquidation to the transaction manager (or, in a dry run, simulates and reports
// it). A price log or a competitor's pending liquidation is decided at once on the in-memory
// state. Every stage is timed into the metrics. No protocol type appears here: the protocol
// evaluates and encodes behind strategy::LendingProtocol.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "chain/rpc/rpc_client.hpp"
#include "keeper/engine/competition.hpp"
#include "keeper/engine/inventory.hpp"
#include "keeper/engine/pending_updates.hpp"
#include "keeper/executors/bundle_executor.hpp"
#include "keeper/market/pool_book.hpp"
#include "keeper/ofa/mev_share_sender.hpp"
#include "keeper/ops/log.hpp"
#include "keeper/ops/metrics.hpp"
#include "keeper/tx/tx_manager.hpp"
#include "strategy/bidding.hpp"
#include "strategy/evaluator/watchlist.hpp"
#include "strategy/gas_model.hpp"
#include "strategy/lending_protocol.hpp"
#include "strategy/liquidation_strategy.hpp"

namespace keeper::engine {

struct PipelineOptions {
  bool dry_run = false;
  double hf_watch_band = 1.05;
  chain::u256 max_priority_fee_wei{3'000'000'000ULL};  // the tip cap, for lifting non-liquidations
  // keeper's own liquidator contract: it re-checks the account and exits cheaply when beaten.
  // Unset: the wallet calls the protocol itself.
  std::optional<chain::Address> liquidator_contract;
  // Where the debt asset comes from; anything but the wallet needs the contract.
  strategy::Funding funding = strategy::Funding::wallet;
  // The swap router flash liquidations sell through (with a swap venue, see use_swap_venue).
  std::optional<chain::Address> swap_router;
  // Keeper's fee cap: a backrun takes the update's max fee, never above this.
  chain::u256 max_fee_per_gas_wei{500'000'000'000ULL};
};

// Where liquidations go: the public mempool, block builders only (a bundle per liquidation, a
// backrun bundled behind its update), or both with the same signed transaction.
enum class Submission : std::uint8_t { public_mempool, bundle, both };

struct PipelineTotals {
  std::uint64_t heads = 0;
  std::uint64_t failed_heads = 0;  // the market could not be read at that block
  std::uint64_t opportunities = 0;
  std::uint64_t dry_run_reports = 0;
  std::uint64_t liquidations_sent = 0;
  std::uint64_t liquidations_mined = 0;
  std::uint64_t reverted = 0;
  std::uint64_t backruns_sent = 0;  // liquidations sent behind a pending oracle update
  std::uint64_t bundles_offered = 0;
  double realised_profit_usd = 0;
};

class BlockPipeline {
 public:
  // `manager` is null in a dry run; `protocol` is synced.
  BlockPipeline(chain::rpc::RpcClient& rpc, strategy::LendingProtocol& protocol,
                strategy::Strategy& strategy, tx::TxManager* manager, chain::Address wallet,
                const ops::Log& log, ops::Metrics& metrics, PipelineOptions options);

  // A head: the state brought to it, every account ranked, and the strategy's liquidations sent.
  void on_head(const chain::rpc::BlockHeader& head,
               std::chrono::steady_clock::time_point received_at);
  // The rest of a head, off the path to the wire: our transactions followed (receipts, stuck
  // ones replaced), landed liquidations reported, price sources re-followed. The daemon runs it
  // one turn of its event loop later, so what on_head handed to the socket is written first.
  void finish_head(const chain::rpc::BlockHeader& head);

  // A price source's log as soon as the node reports it: the in-memory market with the new price
  // decides at once, on the accounts under the watch band and those whose liquidation price the
  // tick crossed, before the head's reads. The head still reconciles exactly.
  void on_price_log(const chain::rpc::Log& log, std::chrono::steady_clock::time_point received_at);

  // A transaction waiting in the node's mempool. An oracle update to an aggregator the protocol
  // reads is backrun: the accounts it would make liquidatable are evaluated at the pending price
  // and their liquidations sent to land in the same block right behind it. A competitor's
  // liquidation of an account is met at once: keeper's attempt in flight for it is replaced with
  // a higher tip, or the account is evaluated now with the competitor's tip to beat; beyond what
  // the profit allows, keeper lets it go (logged and counted).
  void on_pending_transaction(const chain::rpc::PendingTransaction& tx,
                              std::chrono::steady_clock::time_point received_at);

  // An oracle update an order-flow auction hinted at (MEV-Share): the same pricing as a pending
  // transaction's, each liquidation answered with a mev_sendBundle backrun naming `update_hash`
  // for the next `auction_blocks` blocks. Needs use_auctions.
  void on_hinted_update(const chain::Address& aggregator, const chain::i256& answer,
                        const chain::Hash& update_hash,
                        std::chrono::steady_clock::time_point received_at);
  void use_auctions(ofa::MevShareSender* sender, std::uint64_t blocks) {
    auctions_ = sender;
    auction_blocks_ = blocks;
  }
  // The aggregators the protocol reads prices from (what an auction's hints are matched with).
  [[nodiscard]] const std::set<chain::Address>& price_emitters() const noexcept {
    return price_emitters_;
  }

  // The logs to follow as price ticks; `f` is called whenever they change.
  void on_price_sources_changed(std::function<void(const chain::rpc::LogFilter&)> f) {
    on_sources_changed_ = std::move(f);
  }

  // Who sends from now on. A standby follower runs with none (it evaluates and decides at every
  // head, so its book stays warm, but sends nothing) and hands its manager over here once it
  // holds the leader lease. What the manager has in flight then is a previous process's (the
  // dead leader's, or this wallet's before a restart): no liquidation is sent beside it until the
  // state shows where it landed.
  void attach_manager(tx::TxManager* manager);
  // Called at the end of each head's follow-up (finish_head), off the path to the wire, with the
  // watchlist that head left: gauges computed from every account's rank form.
  void on_head_settled(
      std::function<void(const chain::rpc::BlockHeader&, const strategy::Watchlist&)> f) {
    on_head_settled_ = std::move(f);
  }

  // The DEX pools flash liquidations sell into, brought to each head with the protocol's state.
  void use_swap_venue(market::PoolBook* pools) { pools_ = pools; }
  // Block builders for `mode` bundle or both (null or public_mempool: none).
  void use_bundles(executors::BundleExecutor* bundles, Submission mode) {
    bundles_ = bundles;
    submission_ = bundles == nullptr ? Submission::public_mempool : mode;
  }

  [[nodiscard]] const PipelineTotals& totals() const noexcept { return totals_; }

 private:
  struct Pending {  // a liquidation of ours not yet mined
    chain::Address account;
    double health_factor_before = 0;
    double expected_profit_usd = 0;
    std::string gas_kind;
    chain::u256 max_affordable_tip;  // how far an outbid may go
    std::uint64_t nonce = 0;
    // Flash: the profit the contract should keep, in the debt asset, before gas.
    std::optional<chain::u256> expected_flash_profit;
    chain::Address debt_asset;
    std::optional<chain::Hash> backrun_of;  // the pending oracle update it was sent behind
  };
  struct Landed {  // a mined liquidation waiting for state at or after its block
    Pending expected;
    tx::Settlement settlement;
  };

  // Who calls the protocol (and so appears as the liquidator in its event).
  [[nodiscard]] chain::Address liquidator() const noexcept {
    return options_.liquidator_contract.value_or(wallet_);
  }
  // Who pulls the debt asset from the wallet and so needs its approval.
  [[nodiscard]] chain::Address liquidator_spender() const {
    return options_.liquidator_contract.value_or(protocol_.liquidation_spender());
  }
  // The intent that carries out `action`: through the contract when there is one, else direct.
  [[nodiscard]] tl::expected<tx::Intent, strategy::ProtocolError> liquidation_intent(
      const strategy::LiquidateAction& action) const;
  // Log fields and a one-line summary of a chosen liquidation.
  nlohmann::json describe(const strategy::LiquidateAction& action, std::uint64_t block,
                          const char* source, std::string& summary) const;
  // `source` ("head", "tick", "mempool" or "backrun") says which path found the opportunity, in
  // the logs; `backrun` is the pending update the liquidations must land behind.
  void decide_and_act(strategy::MarketView view, std::chrono::steady_clock::time_point evaluated_at,
                      const char* source, const Backrun* backrun = nullptr);
  // An oracle update in the mempool (keeper/engine/backrun.cpp).
  void on_pending_update(const chain::rpc::PendingTransaction& tx,
                         std::chrono::steady_clock::time_point received_at);
  // The accounts `moves` make liquidatable, decided for `backrun` (backrun.cpp).
  void backrun_at(std::vector<strategy::PriceMove> moves, const Backrun& backrun,
                  std::chrono::steady_clock::time_point received_at);
  // Our signed backruns handed to the auction, one mev_sendBundle each.
  void offer_to_auction(const std::vector<tx::Submitted>& sent, const Backrun& backrun,
                        std::uint64_t block);
  void follow_price_sources(std::uint64_t block);
  void report_dry_run(const strategy::LiquidateAction& action, std::uint64_t block,
                      const char* source, const Backrun* backrun);
  // The sales the strategy assumed for liquidations that did not go out (actions[i] with
  // !went_out[i]): given back to the pools, so later quotes of the block do not start from them.
  void retract_unsent(const std::vector<strategy::LiquidateAction>& actions,
                      const std::vector<bool>& went_out);
  void execute(const std::vector<strategy::LiquidateAction>& actions, std::uint64_t block,
               std::chrono::steady_clock::time_point decided_at, const char* source,
               const Backrun* backrun);
  // What streams back about a batch after send_now returned.
  tx::SendObserver send_observer(
      std::vector<std::pair<std::string, strategy::LiquidateAction>> sent_for,
      std::chrono::steady_clock::time_point decided_at);
  // Why `account` must not be liquidated again on state read at `block`, if so: our liquidation
  // of it is in flight ("in_flight"), or mined in a later block that state does not show yet
  // ("landed_ahead_of_state": receipts can be newer than the head being processed).
  [[nodiscard]] std::optional<std::string> still_ours(const chain::Address& account,
                                                      std::uint64_t block) const;
  // Whether a transaction inherited with the manager may still change what state read at `block`
  // shows (in flight, or mined in a later block); forgets those it shows.
  bool inherited_unseen(std::uint64_t block);
  // Logged when an account's reason changes (not at every head), counted every time.
  void report_skip(const chain::Address& account, const std::string& reason, std::uint64_t block,
                   const char* source, double gross_profit_usd);
  // Balances and allowances of the payer, re-read after our transactions settle; approvals for
  // assets the spender may not pull yet go out here, never on the path of a liquidation.
  void refresh_inventory(std::uint64_t block);
  void follow_transactions(std::uint64_t block);
  // Offers a batch of our signed transactions to the builders as one bundle, behind
  // `backrun`'s update if any, for the block after `block`.
  void offer_bundle(const std::vector<tx::Submitted>& sent, const Backrun* backrun,
                    std::uint64_t block);
  // Our transaction at `nonce` was mined: its bundle is included (or landed in public).
  void bundle_landed(std::uint64_t nonce, const chain::Hash& hash);
  // The pools brought to the head with the protocol (all read again after a resync); false when
  // they could not be, so no quote is taken from a stale book at this head.
  bool advance_pools(std::uint64_t block, bool resynced);
  // Our attempt for `account` in flight against a competitor's `tip`: replaced, or let go.
  void outbid(const chain::Address& account, const chain::u256& tip, const chain::u256& max_fee,
              std::uint64_t block);
  // Reports landed liquidations whose block the state now covers, with the HF after.
  void report_landed(std::uint64_t block, std::uint64_t timestamp);

  chain::rpc::RpcClient& rpc_;
  strategy::LendingProtocol& protocol_;
  strategy::Strategy& strategy_;
  tx::TxManager* manager_;
  chain::Address wallet_;
  const ops::Log& log_;
  ops::Metrics& metrics_;
  PipelineOptions options_;

  std::set<chain::Address> approved_;   // debt assets the spender may pull (approval sent)
  std::optional<Inventory> inventory_;  // none in a dry run
  bool inventory_stale_ = true;
  strategy::FeeContext fees_;  // the next block's base fee, from the last head
  strategy::GasModel gas_;
  Competition competition_;
  std::map<chain::Address, std::string> last_skip_;      // account -> the reason last logged
  std::map<chain::Address, std::uint64_t> liquidating_;  // account -> nonce in flight
  // Nonces in flight when the manager was attached. Their liquidations were decided by another
  // view: the accounts they cover, the pools they sell into and the balances they spend are
  // unknown here until the state shows them, so nothing is sent beside them.
  std::set<std::uint64_t> inherited_;
  std::map<std::string, Pending> pending_;  // intent key -> what it expected
  std::vector<Landed> landed_;
  std::map<std::string, std::uint64_t> dry_run_ticked_;  // account:pair -> state block at a tick
  strategy::Watchlist watchlist_;
  std::vector<chain::Address> band_;  // the last head's candidates
  std::uint64_t last_head_timestamp_ = 0;
  std::function<void(const chain::rpc::LogFilter&)> on_sources_changed_;
  std::function<void(const chain::rpc::BlockHeader&, const strategy::Watchlist&)> on_head_settled_;
  std::optional<std::pair<std::uint64_t, std::uint64_t>> watch_rebuilt_;  // block, timestamp
  PipelineTotals totals_;
  market::PoolBook* pools_ = nullptr;
  bool pools_current_ = false;
  bool head_decided_ = false;  // on_head got as far as deciding; finish_head has work
  // The aggregators the protocol reads prices from: their pending transactions are updates.
  std::set<chain::Address> price_emitters_;
  PendingUpdates pending_updates_;
  executors::BundleExecutor* bundles_ = nullptr;
  ofa::MevShareSender* auctions_ = nullptr;
  std::uint64_t auction_blocks_ = 3;
  Submission submission_ = Submission::public_mempool;
  struct Offered {
    executors::BundleId id = 0;
    std::optional<chain::Hash> update;
  };
  std::map<std::uint64_t, Offered> bundled_;  // our nonce -> its bundle
  std::map<chain::Hash, std::vector<executors::BundleId>> bundles_by_update_;
};

}  // namespace keeper::engine
