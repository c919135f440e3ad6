#pragma once
// One wallet's transactions, end to end: simulate, price (EIP-1559, capped), sign, journal, send,
// follow every block, replace when stuck, cancel when the reason to send is gone, and never sign
// the same intent twice nor leave a nonce gap. Spending is capped per rolling hour.
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "chain/abi/revert.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "chain/transaction.hpp"
#include "keeper/tx/broadcaster.hpp"
#include "keeper/tx/crash_hook.hpp"
#include "keeper/tx/journal.hpp"

namespace keeper::tx {

struct TxManagerOptions {
  std::uint64_t chain_id = 0;
  chain::u256 max_fee_per_gas_cap;
  chain::u256 max_priority_fee_cap;
  double gas_limit_multiplier = 1.2;
  std::uint64_t replace_after_blocks = 3;
  std::uint32_t fee_bump_permille = 1125;  // +12.5%: above the 10% nodes require for a replacement
  chain::u256 max_spend_per_hour_wei;
  // A settled transaction is checked again at each head until its block is this deep: a reorg
  // shallower than this that drops it puts it back in flight (rebroadcast as signed).
  std::uint64_t reorg_depth = 12;
  // At start, at most this many unoccupied nonces below the journal's highest are filled with
  // 0-value self-transfers (logged); more, and keeper refuses to start. 0: refuse any gap.
  std::uint64_t max_nonce_gap_fill = 16;
  // Fixed fees instead of the node's view (tests use it to make a transaction stuck on purpose).
  std::optional<std::pair<chain::u256, chain::u256>> fee_override;  // {max_fee, priority}
};

struct Intent {
  std::string key;  // identity for deduplication: the same key is never signed twice
  chain::Address to;
  chain::Bytes data;
  chain::u256 value;
};

// An intent with everything needed to sign it already decided (by the strategy's bid and gas
// model): sending it asks the node nothing first.
struct Order {
  Intent intent;
  std::uint64_t gas_limit = 0;
  chain::u256 max_fee_per_gas;
  chain::u256 max_priority_fee_per_gas;
};

// The EIP-1559 transaction an intent becomes at `nonce`: what every send path signs.
[[nodiscard]] chain::Eip1559Tx to_transaction(const Intent& intent, std::uint64_t chain_id,
                                              std::uint64_t nonce, std::uint64_t gas_limit,
                                              const chain::u256& max_fee,
                                              const chain::u256& priority);

enum class SubmitErrorKind {
  duplicate,
  simulation_reverted,
  spend_limit,
  fee_cap,
  signing,
  journal,
  rpc
};
[[nodiscard]] std::string_view to_string(SubmitErrorKind kind) noexcept;

struct SubmitError {
  SubmitErrorKind kind;
  std::string message;
  std::optional<chain::abi::Revert> revert;  // for simulation_reverted
};

struct Submitted {
  chain::Hash hash{};
  std::uint64_t nonce = 0;
  std::uint64_t gas_limit = 0;
  chain::u256 max_fee_per_gas;
  // For the latency metrics: signed (and journalled), its bytes written to the node's socket,
  // and the node's answer received.
  std::chrono::steady_clock::time_point signed_at;
  std::chrono::steady_clock::time_point written_at;
  std::chrono::steady_clock::time_point sent_at;
};

// A transaction of ours that reached a final state at a head.
struct Settlement {
  std::string intent_key;
  std::uint64_t nonce = 0;
  Outcome outcome = Outcome::pending;          // mined, reverted, cancelled or dropped
  std::optional<chain::rpc::Receipt> receipt;  // none when dropped
  std::chrono::steady_clock::time_point first_sent_at;
};

// What became of one order of send_now after it returned: its bytes left (written), the node
// took it (answered), or the node said no (refused: the nonce is freed or filled, the intent free).
struct SendEvent {
  enum class Kind { written, answered, refused } kind;
  std::size_t index = 0;  // in the orders given to send_now
  std::chrono::steady_clock::time_point signed_at;
  std::chrono::steady_clock::time_point written_at;  // set from `written` on
  std::chrono::steady_clock::time_point at;
  std::string message;  // the node's words, for refused
};
using SendObserver = std::function<void(const SendEvent&)>;

struct TxCounters {
  std::uint64_t sent = 0, mined = 0, reverted = 0, replaced = 0, cancelled = 0, dropped = 0;
  // Settled transactions whose block left the chain (followed again, rebroadcast as they were),
  // and those found in another block than first seen.
  std::uint64_t reorged_out = 0, remined = 0;
  // Stuck transactions that could not be outbid within the caps, sent again as they were signed.
  std::uint64_t resent = 0;
  std::uint64_t simulation_reverts = 0;
  // Private offers (bundles, auctions) that ended unlanded: their nonces released, no cost.
  std::uint64_t released = 0;
};

class TxManager {
 public:
  // Checks every journal record against its raw transaction (nonce, hash, chain, sender: the
  // wallet), reconciles the journal with the node's nonce counts, rebroadcasts what the journal
  // says is still pending, and fills the nonces nothing occupies below the journal's highest (or
  // refuses to start; see max_nonce_gap_fill). Refuses with an error naming the journal line.
  [[nodiscard]] static tl::expected<TxManager, std::string> create(chain::rpc::RpcClient& rpc,
                                                                   const chain::PrivateKey& key,
                                                                   Journal journal,
                                                                   TxManagerOptions options);

  [[nodiscard]] tl::expected<Submitted, SubmitError> submit(const Intent& intent,
                                                            std::uint64_t head_block);
  // Several independent intents at one head: one fee read and one batch of simulations and gas
  // estimates, then each signed, journalled and sent in nonce order. A failure costs only its
  // own intent (its nonce goes to the next one). Results are in the intents' order.
  [[nodiscard]] std::vector<tl::expected<Submitted, SubmitError>> submit_all(
      const std::vector<Intent>& intents, std::uint64_t head_block);

  // The hot path: orders priced by the caller are signed with consecutive local nonces, written
  // to the journal (fsync'd once they are on the wire, see Durability::deferred) and sent, every
  // one before any answer is awaited. No fee read, no simulation, no estimate. Through a ready
  // broadcaster each transaction streams out as soon as it is signed and `observer` hears of it
  // later; otherwise all go in one HTTP request and `observer` hears before this returns. A
  // refused nonce below accepted ones is filled with a cheap self-transfer.
  [[nodiscard]] std::vector<tl::expected<Submitted, SubmitError>> send_now(
      const std::vector<Order>& orders, std::uint64_t head_block, SendObserver observer = {});
  // send_now for orders that go only to block builders or an auction: signed, journalled
  // (fsync'd) and followed like the rest, but not broadcast; their bytes are in
  // journal().entries(). They are offered for blocks up to `last_block`; one not mined by then
  // was never public, so it costs nothing: its nonce is released (journalled `unsent`, the intent
  // free again) when no later nonce of ours is in flight, and otherwise handled in public like
  // any stuck transaction (replaced while it still holds, else cancelled) so that no gap stays.
  [[nodiscard]] std::vector<tl::expected<Submitted, SubmitError>> sign_for_bundle(
      const std::vector<Order>& orders, std::uint64_t head_block, std::uint64_t last_block);
  // Where send_now streams to (keeper's WebSocket); null: one HTTP request per batch.
  void set_broadcaster(Broadcaster* broadcaster) noexcept { broadcaster_ = broadcaster; }

  // Replaces our in-flight transaction at `nonce` with the same intent at a tip of at least
  // `at_least` (and +fee_bump over the last attempt, which nodes require of a replacement), as
  // long as it stays within `max_tip` and the caps. For a competitor's pending attempt: builders
  // order by tip, so the higher one goes first.
  // `max_fee_at_least` raises the fee cap too (builders that order by the cap).
  [[nodiscard]] tl::expected<Submitted, SubmitError> outbid(std::uint64_t nonce,
                                                            const chain::u256& at_least,
                                                            const chain::u256& max_fee_at_least,
                                                            const chain::u256& max_tip,
                                                            std::uint64_t head_block);

  // Follows in-flight transactions at a new head: records outcomes, replaces stuck ones whose
  // intent still simulates, cancels (zero-value self-transfer, same nonce) those whose intent no
  // longer does.
  // Returns the transactions that reached a final state at this head.
  std::vector<Settlement> on_block(std::uint64_t head_block);

  // Several engines sharing this wallet (one per market in one daemon): the one about to call is
  // `owner`. What it sends is remembered as its own, and on_block gives each only its own
  // settlements; the chain is read once per head whichever asks first. Owner 0 (the default, and
  // what was resumed from the journal) reads the chain at every call, as a lone engine does.
  void set_owner(std::uint32_t owner) noexcept { owner_ = owner; }

  [[nodiscard]] const TxCounters& counters() const noexcept { return counters_; }
  [[nodiscard]] std::uint64_t next_nonce() const noexcept { return next_nonce_; }
  [[nodiscard]] std::size_t in_flight() const noexcept { return in_flight_.size(); }
  [[nodiscard]] bool is_in_flight(std::uint64_t nonce) const noexcept {
    return in_flight_.count(nonce) != 0;
  }
  [[nodiscard]] const Journal& journal() const noexcept { return journal_; }
  // What start-up tolerated or repaired (a torn journal line, filled nonces), for the log.
  [[nodiscard]] const std::vector<std::string>& start_notes() const noexcept {
    return start_notes_;
  }
  // The tip of our latest attempt at `nonce`, while it is in flight.
  [[nodiscard]] std::optional<chain::u256> tip_of(std::uint64_t nonce) const;
  // Our nonces in flight, ascending.
  [[nodiscard]] std::vector<std::uint64_t> in_flight_nonces() const;
  // The block our transaction at `nonce` was mined in, while it is followed for reorgs (until
  // reorg_depth deep). Receipts can be newer than the head an engine is processing: state read at
  // an earlier block does not show that transaction yet.
  [[nodiscard]] std::optional<std::uint64_t> landed_in(std::uint64_t nonce) const;
  [[nodiscard]] bool spend_limit_hit() const noexcept { return spend_limit_hit_; }
  // Worst-case gas spend reserved within the hour before `now`: what max_spend_per_hour_wei is
  // checked against (for the operator's gauge).
  [[nodiscard]] chain::u256 spend_last_hour(std::chrono::steady_clock::time_point now) const;
  void set_fee_override(std::optional<std::pair<chain::u256, chain::u256>> fees) {
    options_.fee_override = fees;
  }

 private:
  struct Attempt {
    chain::Hash hash{};
    chain::u256 max_fee;
    chain::u256 priority;
    std::uint64_t gas_limit = 0;
    bool cancel = false;
  };
  struct Flight {
    Intent intent;
    std::uint64_t sent_at_block = 0;
    std::vector<Attempt> attempts;  // original, then replacements
    // The block at which the nonce was first seen used without a receipt of ours: receipts can
    // trail the nonce count by a moment, so "dropped" needs a later block to confirm it.
    std::optional<std::uint64_t> nonce_used_at;
    std::chrono::steady_clock::time_point first_sent_at;
    // Offered privately (bundle, auction) up to this block and never broadcast: not replaced in
    // public while the offer stands; released after it if nothing landed.
    std::optional<std::uint64_t> private_until;
  };

  TxManager(chain::rpc::RpcClient& rpc, const chain::PrivateKey& key, Journal journal,
            TxManagerOptions options)
      : rpc_{rpc}, key_{key}, journal_{std::move(journal)}, options_{std::move(options)} {}

  struct SignedTx {
    chain::Hash hash{};
    chain::Bytes raw;
    std::uint64_t nonce = 0;
    std::uint64_t gas_limit = 0;
    chain::u256 max_fee;
  };

  tl::expected<std::pair<chain::u256, chain::u256>, SubmitError> fees();
  // Start-up (tx_manager_start.cpp): follows the journal's pending records again and sends them
  // once more; returns the nonces the node refused outright (left unoccupied).
  tl::expected<std::vector<std::uint64_t>, std::string> resume_pending(
      std::uint64_t occupied_below);
  // Start-up: the journal's private offers whose nonce the chain has not used are released.
  tl::expected<void, std::string> release_private_at_start(std::uint64_t mined_count,
                                                           std::uint64_t head_block);
  tl::expected<void, std::string> fill_gaps_at_start(const std::vector<std::uint64_t>& gaps,
                                                     std::uint64_t head_block);
  // Reserves the worst-case gas spend and signs; nothing leaves keeper.
  tl::expected<SignedTx, SubmitError> sign(std::uint64_t nonce, const Intent& intent,
                                           std::uint64_t gas, const chain::u256& max_fee,
                                           const chain::u256& priority);
  tl::expected<void, SubmitError> broadcast(const chain::Bytes& raw);
  tl::expected<Submitted, SubmitError> sign_and_send(std::uint64_t nonce, const Intent& intent,
                                                     std::uint64_t gas, const chain::u256& max_fee,
                                                     const chain::u256& priority,
                                                     std::uint64_t head_block,
                                                     const std::string& journal_key);
  // Whether a stuck transaction's intent still succeeds on the latest block.
  bool still_holds(const Intent& intent);
  SubmitError simulation_failure(const chain::rpc::RpcError& e);
  struct Stream;            // one streamed batch's answers and writes still to come
  struct Journalled {       // an order signed at its nonce and in the journal (not yet durable)
    std::size_t index = 0;  // in the orders
    JournalEntry entry;
  };
  // Screens and signs `orders` with consecutive nonces from next_nonce_ and journals them in one
  // write; what fails is set in `out`. Empty when nothing is left to send.
  // `private_until`: the orders go to builders or an auction only, up to that block.
  std::vector<Journalled> sign_and_journal(const std::vector<Order>& orders,
                                           std::uint64_t head_block,
                                           std::vector<tl::expected<Submitted, SubmitError>>& out,
                                           std::optional<std::uint64_t> private_until = {});
  std::vector<tl::expected<Submitted, SubmitError>> send_batch(const std::vector<Order>& orders,
                                                               std::uint64_t head_block,
                                                               const SendObserver& observer);
  std::vector<tl::expected<Submitted, SubmitError>> send_streamed(const std::vector<Order>& orders,
                                                                  std::uint64_t head_block,
                                                                  SendObserver observer);
  // Refused nonces: those at the end are free again, those below accepted ones are filled.
  void release_refused(std::vector<std::uint64_t> refused, const Order& like,
                       std::uint64_t head_block);
  // Screens an order before signing: a duplicate intent or fees above the caps.
  std::optional<SubmitError> screen(const Order& order, std::set<std::string>& this_round) const;
  // A self-transfer at `nonce`: keeps the nonces after a refused one minable.
  void fill_nonce_gap(std::uint64_t nonce, const Order& like, std::uint64_t head_block);
  void track(std::uint64_t nonce, const Intent& intent, const SignedTx& tx,
             const chain::u256& priority, std::uint64_t head_block,
             std::chrono::steady_clock::time_point sent_at, bool cancel);
  bool reserve_spend(const chain::u256& worst_case_wei);
  std::optional<Settlement> settle(std::uint64_t nonce, Flight& flight, std::uint64_t head_block);
  // on_block's work for every owner: outcomes recorded, stuck transactions replaced.
  std::vector<Settlement> poll_block(std::uint64_t head_block);
  // Our highest nonces whose private offer ended at or before `head_block` with their nonce still
  // unused on chain (`mined_count`): journalled unsent, settled as such, and free again.
  void release_private(std::uint64_t head_block, std::uint64_t mined_count,
                       std::vector<Settlement>& settled);
  // A settled transaction, kept until its block is reorg_depth deep (reorg_follow.cpp).
  struct Landed {
    std::uint64_t nonce = 0;
    Flight flight;  // as it was in flight, to put back
    chain::Hash hash{};
    std::uint64_t block = 0;
    chain::Hash block_hash{};
  };
  // Checks the recently settled transactions against the chain: one whose receipt is gone (its
  // block reorganised away) goes back in flight and is rebroadcast with its signed bytes (same
  // nonce, same content: never re-signed); one now in another block is noted.
  void follow_reorgs(std::uint64_t head_block);
  // The signed bytes of `hash`, as journalled, sent again: the same transaction, so it can land
  // once at most, and a node that still has it ignores the copy. False when the node refused it.
  bool resend(const chain::Hash& hash);
  // Signed before and not yet final: signing it again could land it twice.
  [[nodiscard]] bool duplicate(const std::string& intent_key) const {
    return journal_.attempted(intent_key) && final_intents_.count(intent_key) == 0;
  }

  chain::rpc::RpcClient& rpc_;
  const chain::PrivateKey& key_;
  Journal journal_;
  TxManagerOptions options_;
  std::uint64_t next_nonce_ = 0;
  std::map<std::uint64_t, Flight> in_flight_;
  std::deque<Landed> landed_;
  // Intents whose transaction settled and became final (reorg_depth deep) in this run. The same
  // intent again is a new opportunity (a liquidation that landed as a no-op leaves the position,
  // and so the key, as it was), which the journal alone would refuse for good as a duplicate.
  std::set<std::string> final_intents_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, chain::u256>> spend_window_;
  TxCounters counters_;
  bool spend_limit_hit_ = false;
  Broadcaster* broadcaster_ = nullptr;
  CrashHook crash_hook_ = CrashHook::from_environment();  // tests only: unset, never fires
  std::vector<std::string> start_notes_;
  std::uint32_t owner_ = 0;
  std::map<std::uint64_t, std::uint32_t> owner_of_nonce_;  // absent: owner 0
  std::optional<std::uint64_t> polled_block_;
  std::vector<std::pair<std::uint32_t, Settlement>> unclaimed_;  // settled, not yet handed over
};

}  // namespace keeper::tx
