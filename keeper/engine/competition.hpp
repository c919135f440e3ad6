#pragma once
// Competitors' liquidations waiting in the mempool, by the account they target: what keeper's bid
// must beat, or let go. A sighting is forgotten a few blocks later (mined, replaced or dropped).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <tl/expected.hpp>

#include <functional>

#include "chain/rpc/types.hpp"

namespace keeper::engine {

struct CompetitorSighting {
  chain::Address account;  // the borrower it liquidates
  chain::Address from;
  chain::Hash hash{};
  chain::u256 tip;      // effective tip at the next base fee
  chain::u256 max_fee;  // its fee cap (gas price when legacy)
};

class Competition {
 public:
  // The account a pending transaction liquidates, if it is a liquidation (the protocol decodes);
  // an error for a liquidation whose calldata does not decode.
  using TargetOf = std::function<tl::expected<std::optional<chain::Address>, std::string>(
      const chain::rpc::PendingTransaction&)>;
  // `ours`: keeper's own senders and contract, whose transactions are not competition.
  Competition(TargetOf target_of, std::set<chain::Address> ours);

  // A competitor's pending liquidation, or nullopt for anything else (ours, other contracts,
  // other functions, calldata that does not decode).
  std::optional<CompetitorSighting> observe(const chain::rpc::PendingTransaction& tx,
                                            const chain::u256& base_fee, std::uint64_t block);
  // Sightings older than `keep_blocks` before `block` are dropped.
  void expire(std::uint64_t block, std::uint64_t keep_blocks = 3);

  // Liquidations whose calldata did not decode: they would revert on chain too.
  [[nodiscard]] std::uint64_t malformed() const noexcept { return malformed_; }
  // Account -> the highest competing tip seen for it.
  [[nodiscard]] const std::map<chain::Address, chain::u256>& tips() const noexcept { return tips_; }
  // Account -> the highest competing fee cap: some builders (anvil among them) order by the cap
  // rather than the effective tip, so a bid that must win everywhere beats both.
  [[nodiscard]] const std::map<chain::Address, chain::u256>& max_fees() const noexcept {
    return max_fees_;
  }

 private:
  TargetOf target_of_;
  std::set<chain::Address> ours_;
  std::map<chain::Address, chain::u256> tips_;
  std::map<chain::Address, chain::u256> max_fees_;
  std::map<chain::Address, std::uint64_t> seen_at_;
  std::uint64_t malformed_ = 0;
};

}  // namespace keeper::engine
