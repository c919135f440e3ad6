#include "keeper/tx/tx_manager.hpp"

#include <algorithm>
#include <set>

#include "chain/rpc/json_codec.hpp"
#include "keeper/tx/submit_helpers.hpp"

namespace keeper::tx {
using chain::u256;
using detail::bump;
using detail::error;

chain::Eip1559Tx to_transaction(const Intent& intent, std::uint64_t chain_id, std::uint64_t nonce,
                                std::uint64_t gas_limit, const u256& max_fee,
                                const u256& priority) {
  chain::Eip1559Tx tx;
  tx.chain_id = chain_id;
  tx.nonce = nonce;
  tx.max_fee_per_gas = max_fee;
  tx.max_priority_fee_per_gas = priority;
  tx.gas_limit = gas_limit;
  tx.to = intent.to;
  tx.value = intent.value;
  tx.data = intent.data;
  return tx;
}

std::string_view to_string(SubmitErrorKind kind) noexcept {
  switch (kind) {
    case SubmitErrorKind::duplicate: return "duplicate";
    case SubmitErrorKind::simulation_reverted: return "simulation_reverted";
    case SubmitErrorKind::spend_limit: return "spend_limit";
    case SubmitErrorKind::fee_cap: return "fee_cap";
    case SubmitErrorKind::signing: return "signing";
    case SubmitErrorKind::journal: return "journal";
    case SubmitErrorKind::rpc: return "rpc";
  }
  return "unknown";
}

tl::expected<std::pair<u256, u256>, SubmitError> TxManager::fees() {
  if (options_.fee_override) return *options_.fee_override;
  auto head = rpc_.block("latest");
  if (!head)
    return tl::unexpected(error(SubmitErrorKind::rpc, "latest block: " + head.error().to_string()));
  const u256 base = head->base_fee_per_gas.value_or(0);
  auto tip = rpc_.max_priority_fee_per_gas();
  u256 priority = tip ? *tip : u256{1'000'000'000};
  priority = std::min(priority, options_.max_priority_fee_cap);
  const u256 max_fee = std::min(base * 2 + priority, options_.max_fee_per_gas_cap);
  if (max_fee < base + priority)
    return tl::unexpected(
        error(SubmitErrorKind::fee_cap,
              "base fee " + chain::to_dec(base) + " wei is above what max_fee_per_gas allows"));
  return std::pair{max_fee, priority};
}

SubmitError TxManager::simulation_failure(const chain::rpc::RpcError& e) {
  if (e.revert_data || e.kind == chain::rpc::RpcErrorKind::rpc_error) {
    ++counters_.simulation_reverts;
    SubmitError out = error(SubmitErrorKind::simulation_reverted, e.message);
    if (e.revert_data) {
      out.revert = chain::abi::decode_revert(*e.revert_data);
      out.message = out.revert->to_string();
    }
    return out;
  }
  return error(SubmitErrorKind::rpc, "simulation: " + e.to_string());
}

bool TxManager::still_holds(const Intent& intent) {
  // Against the latest block, not the pending one: a transaction of ours still waiting in the
  // pending block would make its own intent look spent, and keeper would cancel a good one.
  const chain::rpc::CallRequest call{key_.address(), intent.to, intent.data, intent.value,
                                     std::nullopt};
  auto result = rpc_.eth_call(call, "latest");
  if (result) return true;
  // A node that did not answer says nothing about the intent: keep it and try again later.
  return simulation_failure(result.error()).kind != SubmitErrorKind::simulation_reverted;
}

bool TxManager::reserve_spend(const u256& worst_case_wei) {
  const auto now = std::chrono::steady_clock::now();
  while (!spend_window_.empty() && now - spend_window_.front().first > std::chrono::hours{1})
    spend_window_.pop_front();
  u256 spent = 0;
  for (const auto& [t, v] : spend_window_) spent += v;
  if (spent + worst_case_wei > options_.max_spend_per_hour_wei) {
    spend_limit_hit_ = true;
    return false;
  }
  spend_window_.emplace_back(now, worst_case_wei);
  return true;
}

u256 TxManager::spend_last_hour(std::chrono::steady_clock::time_point now) const {
  u256 spent = 0;
  for (const auto& [t, v] : spend_window_)
    if (now - t <= std::chrono::hours{1}) spent += v;
  return spent;
}

tl::expected<TxManager::SignedTx, SubmitError> TxManager::sign(std::uint64_t nonce,
                                                               const Intent& intent,
                                                               std::uint64_t gas,
                                                               const u256& max_fee,
                                                               const u256& priority) {
  if (!reserve_spend(u256{gas} * max_fee))
    return tl::unexpected(
        error(SubmitErrorKind::spend_limit,
              "the hourly gas spend limit is reached: keeper stops sending until it frees up"));
  auto signed_tx = chain::sign_transaction(
      to_transaction(intent, options_.chain_id, nonce, gas, max_fee, priority), key_);
  if (!signed_tx)
    return tl::unexpected(
        error(SubmitErrorKind::signing, std::string{chain::describe(signed_tx.error())}));
  return SignedTx{signed_tx->hash, std::move(signed_tx->raw), nonce, gas, max_fee};
}

tl::expected<void, SubmitError> TxManager::broadcast(const chain::Bytes& raw) {
  auto sent = rpc_.send_raw_transaction(raw);
  if (!sent)
    return tl::unexpected(error(SubmitErrorKind::rpc, "send: " + sent.error().to_string()));
  using K = chain::rpc::SendResult::Kind;
  if (sent->kind == K::rejected || sent->kind == K::underpriced)
    return tl::unexpected(
        error(SubmitErrorKind::rpc, "the node refused the transaction: " + sent->message));
  ++counters_.sent;
  return {};
}

bool TxManager::resend(const chain::Hash& hash) {
  const auto entry = journal_.entries().find(hash);
  if (entry == journal_.entries().end()) return false;
  return broadcast(entry->second.raw).has_value();
}

tl::expected<Submitted, SubmitError> TxManager::sign_and_send(
    std::uint64_t nonce, const Intent& intent, std::uint64_t gas, const u256& max_fee,
    const u256& priority, std::uint64_t head_block, const std::string& journal_key) {
  auto tx = sign(nonce, intent, gas, max_fee, priority);
  if (!tx) return tl::unexpected(tx.error());
  // The journal line is on disk before the transaction can exist anywhere else.
  if (auto ok = journal_.record_signed(
          {nonce, tx->hash, tx->raw, journal_key, head_block, Outcome::pending});
      !ok)
    return tl::unexpected(error(SubmitErrorKind::journal, ok.error()));
  const auto signed_at = std::chrono::steady_clock::now();
  if (auto sent = broadcast(tx->raw); !sent) return tl::unexpected(sent.error());
  const auto sent_at = std::chrono::steady_clock::now();
  return Submitted{tx->hash, nonce, gas, max_fee, signed_at, rpc_.last_written_at(), sent_at};
}

tl::expected<Submitted, SubmitError> TxManager::submit(const Intent& intent,
                                                       std::uint64_t head_block) {
  return submit_all({intent}, head_block).front();
}

std::vector<tl::expected<Submitted, SubmitError>> TxManager::submit_all(
    const std::vector<Intent>& intents, std::uint64_t head_block) {
  using Result = tl::expected<Submitted, SubmitError>;
  std::vector<Result> out(intents.size(), tl::unexpected(error(SubmitErrorKind::rpc, "not sent")));
  std::vector<std::size_t> todo;
  std::set<std::string> this_round;
  for (std::size_t i = 0; i < intents.size(); ++i) {
    if (duplicate(intents[i].key) || !this_round.insert(intents[i].key).second)
      out[i] = tl::unexpected(error(SubmitErrorKind::duplicate, "already sent: " + intents[i].key));
    else
      todo.push_back(i);
  }
  if (todo.empty()) return out;
  const auto fail_all = [&](const SubmitError& e) {
    for (const auto i : todo) out[i] = tl::unexpected(e);
    return out;
  };
  auto f = fees();
  if (!f) return fail_all(f.error());
  std::vector<chain::rpc::Call> calls;
  for (const auto i : todo) {
    // Against the pending state: our own transactions not yet mined count (no double
    // liquidation), and an approval sent a moment ago is seen.
    const auto request = chain::rpc::to_json(chain::rpc::CallRequest{
        key_.address(), intents[i].to, intents[i].data, intents[i].value, std::nullopt});
    calls.push_back({"eth_call", chain::rpc::Json::array({request, "pending"})});
    calls.push_back({"eth_estimateGas", chain::rpc::Json::array({request})});
  }
  auto simulated = rpc_.batch(calls);
  if (!simulated)
    return fail_all(error(SubmitErrorKind::rpc, "simulation: " + simulated.error().to_string()));
  // Sign every intent that simulated, with consecutive nonces; one journal write (one fsync)
  // for them all; then broadcast in nonce order.
  struct Ready {
    std::size_t index;
    SignedTx tx;
    chain::u256 priority;
  };
  std::vector<Ready> ready;
  for (std::size_t k = 0; k < todo.size(); ++k) {
    const std::size_t i = todo[k];
    const auto& call = (*simulated)[2 * k];
    const auto& estimate = (*simulated)[2 * k + 1];
    if (!call) {
      out[i] = tl::unexpected(simulation_failure(call.error()));
      continue;
    }
    if (!estimate) {
      out[i] = tl::unexpected(
          error(SubmitErrorKind::rpc, "estimate gas: " + estimate.error().to_string()));
      continue;
    }
    auto gas = chain::rpc::quantity_u64(*estimate, "gas");
    if (!gas) {
      out[i] = tl::unexpected(error(SubmitErrorKind::rpc, "estimate gas: malformed quantity"));
      continue;
    }
    const auto gas_limit =
        static_cast<std::uint64_t>(static_cast<double>(*gas) * options_.gas_limit_multiplier);
    auto tx = sign(next_nonce_ + ready.size(), intents[i], gas_limit, f->first, f->second);
    if (!tx) {
      out[i] = tl::unexpected(tx.error());
      continue;
    }
    ready.push_back({i, std::move(*tx), f->second});
  }
  if (ready.empty()) return out;
  std::vector<JournalEntry> entries;
  entries.reserve(ready.size());
  for (const auto& r : ready)
    entries.push_back(
        {r.tx.nonce, r.tx.hash, r.tx.raw, intents[r.index].key, head_block, Outcome::pending});
  // On disk before any of them can exist anywhere else.
  if (auto ok = journal_.record_signed_all(entries); !ok) {
    for (const auto& r : ready)
      out[r.index] = tl::unexpected(error(SubmitErrorKind::journal, ok.error()));
    return out;
  }
  for (const auto& e : entries) final_intents_.erase(e.intent_key);  // attempted again
  const auto signed_at = std::chrono::steady_clock::now();
  std::optional<SubmitError> refused;
  for (const auto& r : ready) {
    if (refused) {
      // Behind a refused nonce this one could never mine: it was not sent, its nonce is free.
      (void)journal_.record_outcome(r.tx.hash, Outcome::unsent, head_block);
      out[r.index] = tl::unexpected(error(
          refused->kind,
          "not sent: an earlier transaction of the batch was refused (" + refused->message + ")"));
      continue;
    }
    if (auto sent = broadcast(r.tx.raw); !sent) {
      (void)journal_.record_outcome(r.tx.hash, Outcome::unsent, head_block);
      refused = sent.error();
      out[r.index] = tl::unexpected(sent.error());
      continue;
    }
    const auto sent_at = std::chrono::steady_clock::now();
    track(r.tx.nonce, intents[r.index], r.tx, r.priority, head_block, sent_at, false);
    ++next_nonce_;
    out[r.index] = Submitted{r.tx.hash,    r.tx.nonce, r.tx.gas_limit,
                             r.tx.max_fee, signed_at,  rpc_.last_written_at(),
                             sent_at};
  }
  return out;
}

std::optional<Settlement> TxManager::settle(std::uint64_t nonce, Flight& flight,
                                            std::uint64_t head_block) {
  // Which attempt (if any) made it into a block?
  for (const auto& attempt : flight.attempts) {
    auto receipt = rpc_.receipt(attempt.hash);
    if (!receipt || !*receipt) continue;
    const Outcome outcome = attempt.cancel        ? Outcome::cancelled
                            : (*receipt)->success ? Outcome::mined
                                                  : Outcome::reverted;
    (void)journal_.record_outcome(attempt.hash, outcome, (*receipt)->block_number);
    if (outcome == Outcome::mined) ++counters_.mined;
    if (outcome == Outcome::reverted) ++counters_.reverted;
    if (outcome == Outcome::cancelled) ++counters_.cancelled;
    for (const auto& other : flight.attempts) {
      if (other.hash == attempt.hash) continue;
      (void)journal_.record_outcome(other.hash, Outcome::replaced, head_block);
      ++counters_.replaced;
    }
    flight.attempts.clear();
    return Settlement{flight.intent.key, nonce, outcome, std::move(**receipt),
                      flight.first_sent_at};
  }
  return std::nullopt;
}

std::vector<Settlement> TxManager::on_block(std::uint64_t head_block) {
  if (owner_ == 0 || polled_block_ != head_block) {
    for (auto& s : poll_block(head_block)) {
      const auto it = owner_of_nonce_.find(s.nonce);
      const std::uint32_t owner = it == owner_of_nonce_.end() ? 0 : it->second;
      if (it != owner_of_nonce_.end()) owner_of_nonce_.erase(it);
      unclaimed_.emplace_back(owner, std::move(s));
    }
    polled_block_ = head_block;
  }
  std::vector<Settlement> mine;
  for (auto it = unclaimed_.begin(); it != unclaimed_.end();) {
    if (it->first != owner_) {
      ++it;
      continue;
    }
    mine.push_back(std::move(it->second));
    it = unclaimed_.erase(it);
  }
  return mine;
}

std::vector<Settlement> TxManager::poll_block(std::uint64_t head_block) {
  std::vector<Settlement> settled;
  follow_reorgs(head_block);
  auto mined_count = rpc_.transaction_count(key_.address(), "latest");
  if (mined_count) release_private(head_block, *mined_count, settled);
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    const std::uint64_t nonce = it->first;
    Flight& flight = it->second;
    const Flight before = flight;
    if (auto done = settle(nonce, flight, head_block)) {
      if (done->receipt)
        landed_.push_back({nonce, before, done->receipt->transaction_hash,
                           done->receipt->block_number, done->receipt->block_hash});
      settled.push_back(std::move(*done));
    }
    if (flight.attempts.empty()) {
      it = in_flight_.erase(it);
      continue;
    }
    if (mined_count && *mined_count > nonce) {
      // The nonce is used but no receipt of ours is visible yet. Confirmed a block later, it was
      // used by a transaction sent elsewhere with this key.
      if (!flight.nonce_used_at) flight.nonce_used_at = head_block;
      if (head_block > *flight.nonce_used_at) {
        for (const auto& a : flight.attempts)
          (void)journal_.record_outcome(a.hash, Outcome::dropped, head_block);
        ++counters_.dropped;
        settled.push_back(Settlement{flight.intent.key, nonce, Outcome::dropped, std::nullopt,
                                     flight.first_sent_at});
        it = in_flight_.erase(it);
        continue;
      }
      ++it;
      continue;
    }
    if (flight.private_until && head_block < *flight.private_until) {
      ++it;  // builders or an auction may still place it: nothing of it is public to replace
      continue;
    }
    if (head_block < flight.sent_at_block + options_.replace_after_blocks) {
      ++it;
      continue;
    }
    // A private offer that ended below a later nonce of ours: from here it is a public matter
    // (replaced while it holds, else cancelled), or the nonces above it could never be mined.
    flight.private_until.reset();
    // Stuck: replace if the intent still holds, else cancel with a self-transfer at this nonce.
    const Attempt last = flight.attempts.back();
    const bool still_valid = !last.cancel && still_holds(flight.intent);
    auto f = fees();
    u256 max_fee = bump(last.max_fee, options_.fee_bump_permille);
    u256 priority = bump(last.priority, options_.fee_bump_permille);
    if (f && !options_.fee_override) {
      max_fee = std::max(max_fee, f->first);
      priority = std::max(priority, f->second);
    }
    const bool over_caps =
        max_fee > options_.max_fee_per_gas_cap || priority > options_.max_priority_fee_cap;
    if (over_caps && (still_valid || last.cancel)) {
      // Cannot outbid within the caps: it can only mine as it is. A node that lost it (a
      // reorg, a restart or an eviction empties a mempool) never would, and every later nonce
      // of ours would wait behind it: so it is sent again as signed, once per
      // replace_after_blocks heads while it stays stuck.
      if (resend(last.hash)) ++counters_.resent;
      flight.sent_at_block = head_block;
      ++it;
      continue;
    }
    // A liquidation whose intent no longer holds would revert if sent again as signed: it is
    // cancelled instead, at most at the caps. A node that still holds it at the caps refuses that
    // (at no cost); one that lost it mines 21k gas of self-transfer rather than a revert.
    max_fee = std::min(max_fee, options_.max_fee_per_gas_cap);
    priority = std::min(priority, options_.max_priority_fee_cap);
    Intent next = flight.intent;
    std::uint64_t gas = last.gas_limit;
    std::string key = flight.intent.key + ":replace:" + std::to_string(flight.attempts.size());
    if (!still_valid) {
      next = Intent{"cancel:" + std::to_string(nonce), key_.address(), {}, 0};
      gas = 21'000;
      key = next.key + ":" + std::to_string(flight.attempts.size());
    }
    auto sent = sign_and_send(nonce, next, gas, max_fee, priority, head_block, key);
    if (sent) {
      flight.attempts.push_back({sent->hash, max_fee, priority, gas, !still_valid});
      flight.sent_at_block = head_block;
    }
    ++it;
  }
  return settled;
}

void TxManager::release_private(std::uint64_t head_block, std::uint64_t mined_count,
                                std::vector<Settlement>& settled) {
  // From the top only: a released nonce below one still in flight would be a gap holding it.
  while (!in_flight_.empty()) {
    const auto top = std::prev(in_flight_.end());
    const std::uint64_t nonce = top->first;
    const Flight& flight = top->second;
    if (!flight.private_until || head_block < *flight.private_until || mined_count > nonce ||
        nonce + 1 != next_nonce_)
      return;
    // Past the last block it was offered for and its nonce unused: no builder can include it
    // any more, and it was never public, so nothing of it can land. Its nonce is ours again.
    for (const auto& a : flight.attempts)
      (void)journal_.record_outcome(a.hash, Outcome::unsent, head_block);
    settled.push_back(
        Settlement{flight.intent.key, nonce, Outcome::unsent, std::nullopt, flight.first_sent_at});
    ++counters_.released;
    in_flight_.erase(top);
    --next_nonce_;
  }
}

}  // namespace keeper::tx
