#include "keeper/engine/pending_updates.hpp"

#include <algorithm>

namespace keeper::engine {

std::optional<BackrunFees> backrun_fees(const chain::rpc::PendingTransaction& update,
                                        const chain::u256& next_base_fee) {
  const auto max_fee = update.max_fee_per_gas ? update.max_fee_per_gas : update.gas_price;
  if (!max_fee || *max_fee < next_base_fee) return std::nullopt;
  const chain::u256 tip = chain::rpc::effective_tip(update, next_base_fee);
  return BackrunFees{*max_fee, tip == 0 ? chain::u256{0} : chain::u256{tip - 1}};
}

BackrunFees clamp_backrun_fees(const BackrunFees& wanted, const chain::u256& affordable_tip,
                               const chain::u256& max_fee_cap) {
  BackrunFees out;
  out.max_fee_per_gas = std::min(wanted.max_fee_per_gas, max_fee_cap);
  out.tip = std::min({wanted.tip, affordable_tip, out.max_fee_per_gas});
  return out;
}

PendingUpdates::Seen PendingUpdates::observe(const chain::rpc::PendingTransaction& tx,
                                             std::uint64_t block) {
  auto [it, inserted] = by_sender_.try_emplace({tx.from, tx.nonce}, Entry{tx.hash, block});
  if (inserted) return {true, std::nullopt};
  if (it->second.hash == tx.hash) return {false, std::nullopt};
  const chain::Hash earlier = it->second.hash;
  it->second = {tx.hash, block};
  return {true, earlier};
}

void PendingUpdates::expire(std::uint64_t block, std::uint64_t keep_blocks) {
  std::erase_if(by_sender_, [&](const auto& e) { return e.second.seen_at + keep_blocks <= block; });
}

}  // namespace keeper::engine
