#pragma once
// The live mirror of one Aave V3 market: every known account's position and the market, kept
// exact block by block without re-reading every account.
//
// At each head: the market (reserves, indexes, rates, configuration, prices, eMode) is reconciled
// in one batch, which also catches a price written straight into storage; the Pool's and its
// tokens' logs since the last head name the accounts whose positions changed, and only those are
// re-read, at the head, in one batch. A head that does not extend the last one (a reorg) makes
// keeper re-read everything rather than trust state built on an orphaned block.
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include <tl/expected.hpp>

#include "chain/rpc/rpc_client.hpp"
#include "protocols/aave_v3/aave_sync.hpp"
#include "protocols/aave_v3/state_snapshot.hpp"

namespace protocols::aave_v3 {

struct AdvanceReport {
  std::uint64_t from = 0;  // first block whose logs were read
  std::uint64_t to = 0;
  std::size_t logs = 0;
  std::size_t accounts_refreshed = 0;
  std::size_t accounts_new = 0;
  std::string resynced;                         // non-empty: why everything was re-read
  std::vector<chain::Address> touched;          // accounts re-read (all of them after a resync)
  std::map<std::string, std::uint64_t> events;  // decoded logs by kind, for metrics
};

// Called during the first backfill after each window: the accounts so far, complete up to `block`.
using DiscoveryProgress =
    std::function<void(const std::set<chain::Address>& accounts, std::uint64_t block)>;

class MarketState {
 public:
  MarketState(chain::rpc::RpcClient& rpc, AaveSync& sync, AaveContracts contracts)
      : rpc_{rpc}, sync_{sync}, contracts_{contracts} {}

  // Backfills the Pool's logs over [from, head] on top of `known` (accounts found before `from`),
  // then reads the market and every account at `head`.
  [[nodiscard]] tl::expected<void, std::string> sync_full(const chain::rpc::BlockHeader& head,
                                                          std::set<chain::Address> known,
                                                          std::uint64_t from,
                                                          const DiscoveryProgress& progress = {});
  // State as a snapshot holds it; the caller has checked its chain, market and block hash.
  void restore(StateSnapshot snapshot);
  // Brings the state from the last block to `head`.
  [[nodiscard]] tl::expected<AdvanceReport, std::string> advance(
      const chain::rpc::BlockHeader& head);

  [[nodiscard]] StateSnapshot snapshot(std::uint64_t chain_id,
                                       const chain::Address& provider) const;

  [[nodiscard]] bool ready() const noexcept { return ready_; }
  [[nodiscard]] const protocols::aave_v3::Market& market() const noexcept { return market_; }
  [[nodiscard]] const std::map<chain::Address, protocols::aave_v3::Account>& positions()
      const noexcept {
    return positions_;
  }
  [[nodiscard]] const std::set<chain::Address>& accounts() const noexcept { return known_; }
  [[nodiscard]] std::uint64_t block() const noexcept { return block_; }
  [[nodiscard]] const chain::Hash& block_hash() const noexcept { return hash_; }

 private:
  tl::expected<void, std::string> read_all(const chain::rpc::BlockHeader& head);

  chain::rpc::RpcClient& rpc_;
  AaveSync& sync_;
  AaveContracts contracts_;
  bool ready_ = false;
  std::uint64_t block_ = 0;
  chain::Hash hash_{};
  std::set<chain::Address> known_;
  protocols::aave_v3::Market market_;
  std::map<chain::Address, protocols::aave_v3::Account> positions_;
};

}  // namespace protocols::aave_v3
