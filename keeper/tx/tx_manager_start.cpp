// TxManager's start: the journal is checked record by record, reconciled with the chain's nonce,
// and what it says may be in flight is followed and sent again, with no nonce left unoccupied
// below the next one keeper signs at.
#include <algorithm>

#include "chain/hex.hpp"
#include "keeper/tx/journal_check.hpp"
#include "keeper/tx/nonce_plan.hpp"
#include "keeper/tx/tx_manager.hpp"

namespace keeper::tx {
namespace {

std::string list_of(const std::vector<std::uint64_t>& nonces, std::uint64_t count) {
  std::string out;
  for (std::size_t i = 0; i < nonces.size() && i < 8; ++i)
    out += (i == 0 ? "" : ", ") + std::to_string(nonces[i]);
  if (count > 8) out += ", ... (" + std::to_string(count) + " in all)";
  return out;
}

}  // namespace

tl::expected<TxManager, std::string> TxManager::create(chain::rpc::RpcClient& rpc,
                                                       const chain::PrivateKey& key,
                                                       Journal journal, TxManagerOptions options) {
  auto chain_id = rpc.chain_id();
  if (!chain_id) return tl::unexpected("chain id: " + chain_id.error().to_string());
  if (*chain_id != options.chain_id)
    return tl::unexpected("the node is on chain " + std::to_string(*chain_id) + ", expected " +
                          std::to_string(options.chain_id) + ": refusing to sign");
  // A record's fields decide what keeper resumes (the nonce it reserves, the hash it follows):
  // each must be what its own signed bytes say, for this chain and from this wallet.
  for (const auto& [hash, record] : journal.entries())
    if (auto ok = check_record(record, options.chain_id, key.address()); !ok)
      return tl::unexpected("journal " + journal.where(record) + ": " + ok.error().message +
                            ": refusing to start (move the journal away after checking it)");
  auto latest = rpc.transaction_count(key.address(), "latest");
  if (!latest) return tl::unexpected("nonce: " + latest.error().to_string());
  auto pending = rpc.transaction_count(key.address(), "pending");
  if (!pending) return tl::unexpected("nonce: " + pending.error().to_string());
  auto head = rpc.block_number();
  if (!head) return tl::unexpected("head: " + head.error().to_string());

  TxManager m{rpc, key, std::move(journal), std::move(options)};
  m.start_notes_ = m.journal_.warnings();
  if (auto released = m.release_private_at_start(*latest, *head); !released)
    return tl::unexpected(released.error());
  const NonceCounts counts{*latest, *pending};
  std::vector<std::uint64_t> resent;
  for (const auto& e : m.journal_.pending()) resent.push_back(e.nonce);
  auto plan = plan_nonces(counts, resent, m.journal_.highest_nonce());
  const std::uint64_t occupied_below = std::max(counts.latest, counts.pending);
  if (plan.gap_count > m.options_.max_nonce_gap_fill)
    return tl::unexpected(
        "the journal used nonces up to " + std::to_string(plan.next_nonce - 1) +
        " but the node has the wallet's transactions only below " + std::to_string(occupied_below) +
        " and nothing of the journal occupies nonce(s) " + list_of(plan.gaps, plan.gap_count) +
        ": nothing signed above a nonce gap can mine; refusing to start (at most " +
        std::to_string(m.options_.max_nonce_gap_fill) +
        " are filled with self-transfers: transactions.max_nonce_gap_fill)");
  m.next_nonce_ = plan.next_nonce;
  auto refused = m.resume_pending(occupied_below);
  if (!refused) return tl::unexpected(refused.error());
  // A record the node refuses outright leaves its nonce as unoccupied as a missing one.
  plan.gaps.insert(plan.gaps.end(), refused->begin(), refused->end());
  std::sort(plan.gaps.begin(), plan.gaps.end());
  if (plan.gaps.size() > m.options_.max_nonce_gap_fill)
    return tl::unexpected("the node refused the journal's pending transactions at nonce(s) " +
                          list_of(*refused, refused->size()) +
                          ", leaving more nonce gaps than transactions.max_nonce_gap_fill: "
                          "refusing to start");
  if (auto ok = m.fill_gaps_at_start(plan.gaps, *head); !ok) return tl::unexpected(ok.error());
  return m;
}

tl::expected<void, std::string> TxManager::release_private_at_start(std::uint64_t mined_count,
                                                                    std::uint64_t head_block) {
  // A private offer (bundle, auction) does not outlive the process that made it, and was never
  // public: one whose nonce the chain has not used is released, never broadcast. (Should a
  // builder still include it, the nonce's next transaction is followed as dropped.)
  std::uint64_t released = 0;
  for (const auto& e : journal_.pending()) {
    if (!e.private_until || e.nonce < mined_count) continue;
    if (auto ok = journal_.record_outcome(e.hash, Outcome::unsent, head_block); !ok)
      return tl::unexpected("journal: " + ok.error());
    ++released;
  }
  if (released > 0)
    start_notes_.push_back("released " + std::to_string(released) +
                           " privately offered transaction(s) of a previous run: never broadcast, "
                           "their nonces are free again");
  return {};
}

tl::expected<std::vector<std::uint64_t>, std::string> TxManager::resume_pending(
    std::uint64_t occupied_below) {
  std::vector<std::uint64_t> refused;
  // What was in flight when keeper stopped is followed again, and rebroadcast in case the node
  // forgot it; the node's refusals ("already known", "nonce too low") are expected here.
  for (const auto& e : journal_.pending()) {
    auto decoded = chain::decode_signed(e.raw);
    if (!decoded)  // checked by check_record already; kept so this function stands alone
      return tl::unexpected("journal " + journal_.where(e) + ": undecodable transaction");
    const auto* tx = std::get_if<chain::Eip1559Tx>(&decoded->tx);
    if (tx == nullptr)
      return tl::unexpected("journal " + journal_.where(e) +
                            ": not an EIP-1559 transaction, which is all keeper signs");
    auto& flight = in_flight_[e.nonce];
    if (flight.attempts.empty()) {
      flight.nonce_used_at = std::nullopt;
      flight.intent = Intent{e.intent_key, tx->to.value_or(chain::Address{}), tx->data, tx->value};
      flight.sent_at_block = e.sent_at_block;
    }
    flight.attempts.push_back({e.hash, tx->max_fee_per_gas, tx->max_priority_fee_per_gas,
                               tx->gas_limit, e.intent_key.rfind("cancel:", 0) == 0});
    auto sent = rpc_.send_raw_transaction(e.raw);
    if (!sent)
      return tl::unexpected("rebroadcasting the journal's transaction at nonce " +
                            std::to_string(e.nonce) + ": " + sent.error().to_string());
    if (sent->kind == chain::rpc::SendResult::Kind::rejected && e.nonce >= occupied_below)
      refused.push_back(e.nonce);
  }
  return refused;
}

tl::expected<void, std::string> TxManager::fill_gaps_at_start(
    const std::vector<std::uint64_t>& gaps, std::uint64_t head_block) {
  if (gaps.empty()) return {};
  auto f = fees();
  if (!f) return tl::unexpected("fees to fill nonce gaps: " + f.error().message);
  for (const auto nonce : gaps) {
    const Intent filler{"cancel:" + std::to_string(nonce), key_.address(), {}, 0};
    auto sent =
        sign_and_send(nonce, filler, 21'000, f->first, f->second, head_block, filler.key + ":gap");
    if (!sent)
      return tl::unexpected("filling the nonce gap at " + std::to_string(nonce) + ": " +
                            sent.error().message + ": refusing to start");
    auto& flight = in_flight_[nonce];
    if (flight.attempts.empty())
      flight = Flight{filler, head_block, {}, std::nullopt, sent->sent_at, std::nullopt};
    flight.attempts.push_back({sent->hash, f->first, f->second, 21'000, true});
    start_notes_.push_back("nonce " + std::to_string(nonce) +
                           " was unoccupied below the journal's transactions: filled with a "
                           "0-value self-transfer " +
                           chain::hex_encode(sent->hash));
  }
  return {};
}

}  // namespace keeper::tx
