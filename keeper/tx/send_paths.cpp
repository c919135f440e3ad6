// TxManager's send paths: the hot path's batch (streamed over a broadcaster, or one HTTP
// request), what the node's refusals leave behind, and outbidding a competitor.
#include <algorithm>
#include <set>

#include "keeper/tx/submit_helpers.hpp"
#include "keeper/tx/tx_manager.hpp"

namespace keeper::tx {

using chain::u256;
using detail::bump;
using detail::error;

void TxManager::track(std::uint64_t nonce, const Intent& intent, const SignedTx& tx,
                      const u256& priority, std::uint64_t head_block,
                      std::chrono::steady_clock::time_point sent_at, bool cancel) {
  if (owner_ != 0) owner_of_nonce_[nonce] = owner_;
  in_flight_[nonce] =
      Flight{intent,       head_block, {{tx.hash, tx.max_fee, priority, tx.gas_limit, cancel}},
             std::nullopt, sent_at,    std::nullopt};
}

std::optional<SubmitError> TxManager::screen(const Order& o,
                                             std::set<std::string>& this_round) const {
  if (duplicate(o.intent.key) || !this_round.insert(o.intent.key).second)
    return error(SubmitErrorKind::duplicate, "already sent: " + o.intent.key);
  if (o.max_fee_per_gas > options_.max_fee_per_gas_cap ||
      o.max_priority_fee_per_gas > options_.max_priority_fee_cap ||
      o.max_priority_fee_per_gas > o.max_fee_per_gas)
    return error(SubmitErrorKind::fee_cap, "fees above the configured caps");
  return std::nullopt;
}

std::vector<tl::expected<Submitted, SubmitError>> TxManager::send_now(
    const std::vector<Order>& orders, std::uint64_t head_block, SendObserver observer) {
  if (broadcaster_ != nullptr && broadcaster_->ready())
    return send_streamed(orders, head_block, std::move(observer));
  return send_batch(orders, head_block, observer);
}

std::vector<tl::expected<Submitted, SubmitError>> TxManager::sign_for_bundle(
    const std::vector<Order>& orders, std::uint64_t head_block, std::uint64_t last_block) {
  using Result = tl::expected<Submitted, SubmitError>;
  std::vector<Result> out(orders.size(), tl::unexpected(error(SubmitErrorKind::rpc, "not sent")));
  const std::uint64_t private_until = std::max(last_block, head_block + 1);
  const auto ready = sign_and_journal(orders, head_block, out, private_until);
  if (ready.empty()) return out;
  const auto signed_at = std::chrono::steady_clock::now();
  // Durable before any builder sees it: a bundle may land while keeper is down.
  const auto synced = journal_.sync();
  for (const auto& r : ready) {
    const Order& o = orders[r.index];
    if (!synced) {
      (void)journal_.record_outcome(r.entry.hash, Outcome::unsent, head_block);
      out[r.index] = tl::unexpected(error(SubmitErrorKind::journal, synced.error()));
      continue;
    }
    ++counters_.sent;
    track(r.entry.nonce, o.intent,
          {r.entry.hash, {}, r.entry.nonce, o.gas_limit, o.max_fee_per_gas},
          o.max_priority_fee_per_gas, head_block, signed_at, false);
    in_flight_[r.entry.nonce].private_until = private_until;
    out[r.index] = Submitted{r.entry.hash, r.entry.nonce, o.gas_limit, o.max_fee_per_gas,
                             signed_at,    signed_at,     signed_at};
  }
  if (synced) next_nonce_ += ready.size();
  return out;
}

namespace {

bool refused(const tl::expected<chain::rpc::SendResult, chain::rpc::RpcError>& answer) {
  using K = chain::rpc::SendResult::Kind;
  if (answer) return answer->kind == K::rejected || answer->kind == K::underpriced;
  return !answer.error().maybe_delivered;  // certainly never arrived
}

std::string words(const tl::expected<chain::rpc::SendResult, chain::rpc::RpcError>& answer) {
  return answer ? answer->message : answer.error().to_string();
}

}  // namespace

std::vector<TxManager::Journalled> TxManager::sign_and_journal(
    const std::vector<Order>& orders, std::uint64_t head_block,
    std::vector<tl::expected<Submitted, SubmitError>>& out,
    std::optional<std::uint64_t> private_until) {
  std::vector<Journalled> signed_orders;
  signed_orders.reserve(orders.size());
  std::set<std::string> this_round;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const Order& o = orders[i];
    if (auto bad = screen(o, this_round)) {
      out[i] = tl::unexpected(std::move(*bad));
      continue;
    }
    auto tx = sign(next_nonce_ + signed_orders.size(), o.intent, o.gas_limit, o.max_fee_per_gas,
                   o.max_priority_fee_per_gas);
    if (!tx) {
      out[i] = tl::unexpected(tx.error());
      continue;
    }
    signed_orders.push_back({i,
                             {tx->nonce, tx->hash, std::move(tx->raw), o.intent.key, head_block,
                              Outcome::pending, 0, private_until}});
  }
  if (signed_orders.empty()) return signed_orders;
  std::vector<JournalEntry> entries;
  entries.reserve(signed_orders.size());
  for (const auto& s : signed_orders) entries.push_back(s.entry);
  crash_hook_.reached(CrashPoint::signed_not_journalled);
  // In the journal (in the kernel, not yet on disk) before any of them exists anywhere else.
  if (auto ok = journal_.record_signed_all(entries, Durability::deferred); !ok) {
    for (const auto& s : signed_orders)
      out[s.index] = tl::unexpected(error(SubmitErrorKind::journal, ok.error()));
    return {};
  }
  for (const auto& e : entries) final_intents_.erase(e.intent_key);  // attempted again
  crash_hook_.reached(CrashPoint::journalled_not_sent);
  return signed_orders;
}

std::vector<tl::expected<Submitted, SubmitError>> TxManager::send_batch(
    const std::vector<Order>& orders, std::uint64_t head_block, const SendObserver& observer) {
  using Result = tl::expected<Submitted, SubmitError>;
  std::vector<Result> out(orders.size(), tl::unexpected(error(SubmitErrorKind::rpc, "not sent")));
  const auto ready = sign_and_journal(orders, head_block, out);
  if (ready.empty()) return out;
  std::vector<chain::Bytes> raws;
  raws.reserve(ready.size());
  for (const auto& r : ready) raws.push_back(r.entry.raw);
  const auto signed_at = std::chrono::steady_clock::now();
  auto answers = rpc_.send_raw_transactions(raws);
  const auto sent_at = std::chrono::steady_clock::now();
  const auto written_at = rpc_.last_written_at();
  // Durable now, off the path between the price and the wire.
  const auto synced = journal_.sync();
  crash_hook_.reached(CrashPoint::sent_not_settled);
  std::vector<std::uint64_t> said_no;
  for (std::size_t k = 0; k < ready.size(); ++k) {
    const Journalled& r = ready[k];
    const Order& o = orders[r.index];
    const tl::expected<chain::rpc::SendResult, chain::rpc::RpcError> answer =
        answers ? (*answers)[k]
                : tl::expected<chain::rpc::SendResult, chain::rpc::RpcError>{
                      tl::unexpected(answers.error())};
    SendEvent event{SendEvent::Kind::written, r.index, signed_at, written_at, written_at, {}};
    if (observer) observer(event);
    if (refused(answer)) {
      (void)journal_.record_outcome(r.entry.hash, Outcome::unsent, head_block);
      said_no.push_back(r.entry.nonce);
      out[r.index] = tl::unexpected(
          error(SubmitErrorKind::rpc, "the node refused the transaction: " + words(answer)));
      continue;
    }
    // Accepted, already known, or lost in a transport failure that may have delivered it: it is
    // followed at every head (mined, replaced when stuck, or found dropped).
    ++counters_.sent;
    track(r.entry.nonce, o.intent,
          {r.entry.hash, {}, r.entry.nonce, o.gas_limit, o.max_fee_per_gas},
          o.max_priority_fee_per_gas, head_block, sent_at, false);
    out[r.index] = Submitted{r.entry.hash, r.entry.nonce, o.gas_limit, o.max_fee_per_gas,
                             signed_at,    written_at,    sent_at};
    event.kind = SendEvent::Kind::answered;
    event.at = sent_at;
    if (observer) observer(event);
  }
  next_nonce_ += ready.size();
  release_refused(std::move(said_no), orders[ready.front().index], head_block);
  if (!synced) {
    for (auto& r : out)
      if (r) r = tl::unexpected(error(SubmitErrorKind::journal, "sent, but " + synced.error()));
  }
  return out;
}

struct TxManager::Stream {
  SendObserver observer;
  Order like;  // fees for a gap filler
  std::uint64_t head_block = 0;
  std::size_t answers_left = 0;
  std::vector<std::uint64_t> refused;
  std::vector<std::chrono::steady_clock::time_point> signed_at, written_at;
};

std::vector<tl::expected<Submitted, SubmitError>> TxManager::send_streamed(
    const std::vector<Order>& orders, std::uint64_t head_block, SendObserver observer) {
  using Result = tl::expected<Submitted, SubmitError>;
  std::vector<Result> out(orders.size(), tl::unexpected(error(SubmitErrorKind::rpc, "not sent")));
  auto stream = std::make_shared<Stream>();
  stream->observer = std::move(observer);
  stream->head_block = head_block;
  stream->signed_at.resize(orders.size());
  stream->written_at.resize(orders.size());
  const auto entries = sign_and_journal(orders, head_block, out);
  if (entries.empty()) return out;
  const auto signed_at = std::chrono::steady_clock::now();
  stream->like = orders[entries.front().index];
  stream->answers_left = entries.size();
  std::vector<chain::Bytes> raws;
  raws.reserve(entries.size());
  std::vector<SendCallbacks> callbacks;
  callbacks.reserve(entries.size());
  for (std::size_t k = 0; k < entries.size(); ++k) {
    const auto& e = entries[k].entry;
    const std::size_t i = entries[k].index;
    const Order& o = orders[i];
    stream->signed_at[i] = signed_at;
    track(e.nonce, o.intent, {e.hash, {}, e.nonce, o.gas_limit, o.max_fee_per_gas},
          o.max_priority_fee_per_gas, head_block, signed_at, false);
    ++counters_.sent;
    out[i] = Submitted{e.hash, e.nonce, o.gas_limit, o.max_fee_per_gas, signed_at, {}, {}};
    raws.push_back(e.raw);
    callbacks.push_back(
        {[this, stream, i,
          last = k + 1 == entries.size()](std::chrono::steady_clock::time_point at) {
           stream->written_at[i] = at;
           if (last) {
             (void)journal_.sync();  // durable once all are on the wire, not before
             crash_hook_.reached(CrashPoint::sent_not_settled);
           }
           if (stream->observer)
             stream->observer({SendEvent::Kind::written, i, stream->signed_at[i], at, at, {}});
         },
         [this, stream, i, nonce = e.nonce,
          hash = e.hash](const tl::expected<chain::rpc::SendResult, chain::rpc::RpcError>& answer) {
           const auto at = std::chrono::steady_clock::now();
           SendEvent event{SendEvent::Kind::answered, i,  stream->signed_at[i],
                           stream->written_at[i],     at, {}};
           if (refused(answer)) {
             (void)journal_.record_outcome(hash, Outcome::unsent, stream->head_block);
             in_flight_.erase(nonce);
             --counters_.sent;
             stream->refused.push_back(nonce);
             event.kind = SendEvent::Kind::refused;
             event.message = words(answer);
           }
           if (stream->observer) stream->observer(event);
           if (--stream->answers_left == 0) {
             std::sort(stream->refused.begin(), stream->refused.end());
             release_refused(std::move(stream->refused), stream->like, stream->head_block);
           }
         }});
  }
  next_nonce_ += entries.size();
  broadcaster_->send_all(raws, std::move(callbacks));
  return out;
}

void TxManager::release_refused(std::vector<std::uint64_t> refused_nonces, const Order& like,
                                std::uint64_t head_block) {
  // Refused nonces at the end are simply free again; one below an accepted transaction would
  // hold it (and every later one) back forever, so it is filled.
  while (!refused_nonces.empty() && refused_nonces.back() + 1 == next_nonce_) {
    refused_nonces.pop_back();
    --next_nonce_;
  }
  for (const auto nonce : refused_nonces) fill_nonce_gap(nonce, like, head_block);
}

std::optional<u256> TxManager::tip_of(std::uint64_t nonce) const {
  const auto it = in_flight_.find(nonce);
  if (it == in_flight_.end() || it->second.attempts.empty()) return std::nullopt;
  return it->second.attempts.back().priority;
}

std::vector<std::uint64_t> TxManager::in_flight_nonces() const {
  std::vector<std::uint64_t> out;
  out.reserve(in_flight_.size());
  for (const auto& [nonce, flight] : in_flight_) out.push_back(nonce);
  return out;
}

tl::expected<Submitted, SubmitError> TxManager::outbid(std::uint64_t nonce, const u256& at_least,
                                                       const u256& max_fee_at_least,
                                                       const u256& max_tip,
                                                       std::uint64_t head_block) {
  const auto it = in_flight_.find(nonce);
  if (it == in_flight_.end() || it->second.attempts.empty() || it->second.attempts.back().cancel)
    return tl::unexpected(error(SubmitErrorKind::duplicate, "nothing of ours in flight there"));
  Flight& flight = it->second;
  const Attempt last = flight.attempts.back();
  const u256 tip = std::max(at_least, bump(last.priority, options_.fee_bump_permille));
  // The fee cap rises with the tip so the transaction still pays it over a rising base fee.
  const u256 max_fee = std::max({bump(last.max_fee, options_.fee_bump_permille),
                                 last.max_fee + (tip - last.priority), max_fee_at_least});
  if (tip > max_tip || tip > options_.max_priority_fee_cap ||
      max_fee > options_.max_fee_per_gas_cap)
    return tl::unexpected(
        error(SubmitErrorKind::fee_cap, "outbidding needs a tip of " + chain::to_dec(tip) +
                                            " wei, above what the liquidation can pay"));
  const std::string key = flight.intent.key + ":replace:" + std::to_string(flight.attempts.size());
  auto sent = sign_and_send(nonce, flight.intent, last.gas_limit, max_fee, tip, head_block, key);
  if (!sent) return sent;
  flight.attempts.push_back({sent->hash, max_fee, tip, last.gas_limit, false});
  ++counters_.sent;
  return sent;
}

void TxManager::fill_nonce_gap(std::uint64_t nonce, const Order& like, std::uint64_t head_block) {
  const Intent filler{"cancel:" + std::to_string(nonce), key_.address(), {}, 0};
  auto sent = sign_and_send(nonce, filler, 21'000, like.max_fee_per_gas,
                            like.max_priority_fee_per_gas, head_block, filler.key);
  if (!sent) return;  // the next heads see the nonce unused and the stuck ones replaced
  if (owner_ != 0) owner_of_nonce_[nonce] = owner_;
  in_flight_[nonce] =
      Flight{filler,
             head_block,
             {{sent->hash, like.max_fee_per_gas, like.max_priority_fee_per_gas, 21'000, true}},
             std::nullopt,
             sent->sent_at,
             std::nullopt};
  ++counters_.sent;
}

}  // namespace keeper::tx
