#include "keeper/daemon/competition.hpp"

#include <algorithm>

#include "chain/abi/calldata.hpp"

namespace keeper::daemon {

Competition::Competition(chain::Address pool, std::set<chain::Address> ours)
    : pool_{pool},
      ours_{std::move(ours)},
      // A fixed signature: a parse failure is a programming error any test catches.
      liquidation_call_{
          chain::abi::parse_function("liquidationCall(address,address,address,uint256,bool)")
              .value()} {}

std::optional<CompetitorSighting> Competition::observe(const chain::rpc::PendingTransaction& tx,
                                                       const chain::u256& base_fee,
                                                       std::uint64_t block) {
  if (!tx.to || *tx.to != pool_ || ours_.count(tx.from) != 0) return std::nullopt;
  if (tx.input.size() < 4 || !std::equal(liquidation_call_.selector.begin(),
                                         liquidation_call_.selector.end(), tx.input.begin()))
    return std::nullopt;
  const auto call = chain::abi::decode_call(tx.input, liquidation_call_);
  if (!call) {
    ++malformed_;  // it would revert on chain too: no competition
    return std::nullopt;
  }
  const CompetitorSighting sighting{
      call->args[2].as_address(), tx.from, tx.hash, chain::rpc::effective_tip(tx, base_fee),
      tx.max_fee_per_gas.value_or(tx.gas_price.value_or(chain::u256{0}))};
  auto& tip = tips_[sighting.account];
  tip = std::max(tip, sighting.tip);
  auto& max_fee = max_fees_[sighting.account];
  max_fee = std::max(max_fee, sighting.max_fee);
  seen_at_[sighting.account] = block;
  return sighting;
}

void Competition::expire(std::uint64_t block, std::uint64_t keep_blocks) {
  for (auto it = seen_at_.begin(); it != seen_at_.end();) {
    if (it->second + keep_blocks < block) {
      tips_.erase(it->first);
      max_fees_.erase(it->first);
      it = seen_at_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace keeper::daemon
