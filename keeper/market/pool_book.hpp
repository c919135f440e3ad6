#pragma once
// The Uniswap V3 pools between a market's assets, held in memory and kept true from their own
// Swap/Mint/Burn logs at each head: flash liquidations quote their sales here, exactly as the
// pools will execute them, with no RPC between a price and the transaction.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "chain/rpc/rpc_client.hpp"
#include "dex/uniswap_v3/pool_state.hpp"
#include "strategy/swap_venue.hpp"

namespace keeper::market {

struct PoolBookOptions {
  chain::Address factory;
  std::vector<std::uint32_t> fee_tiers{100, 500, 3000, 10000};  // the factory's enabled tiers
  // Longer gaps than this reload every pool rather than read their logs.
  std::uint64_t max_log_blocks = 2'000;
};

struct PoolBookUpdate {
  std::size_t logs = 0;      // applied
  std::size_t reloaded = 0;  // pools read again (a log that did not fit, ticks beyond the loaded)
};

class PoolBook final : public strategy::SwapVenue {
 public:
  // The factory's pools between every two of `tokens`, in every fee tier, read at `block`.
  [[nodiscard]] static tl::expected<PoolBook, std::string> discover(
      chain::rpc::RpcClient& rpc, const PoolBookOptions& options,
      const std::vector<chain::Address>& tokens, std::uint64_t block);

  // Every pool brought to `head` (its logs since the last block applied in order), and the sales
  // assumed before it forgotten. On error the book stays where it was; the next head retries.
  [[nodiscard]] tl::expected<PoolBookUpdate, std::string> advance(chain::rpc::RpcClient& rpc,
                                                                  std::uint64_t head);
  // A pool's log as the node streams it, applied at once so that a price tick in the same block
  // (arbitrageurs move pools before the oracle) is quoted on the pools it will meet. False when
  // it is no log of these pools. advance() later skips what was applied here.
  bool apply_live(const chain::rpc::Log& log);
  // The pools' addresses and event topics, for a log subscription.
  [[nodiscard]] std::vector<chain::Address> addresses() const;
  [[nodiscard]] static std::vector<chain::Hash> event_topics();

  // Pools already read (a test's, a snapshot's), as of `block`.
  [[nodiscard]] static PoolBook of(PoolBookOptions options,
                                   std::vector<dex::uniswap_v3::PoolState> pools,
                                   std::uint64_t block);

  // After a reorg: every pool read again at `head`.
  [[nodiscard]] tl::expected<void, std::string> reload(chain::rpc::RpcClient& rpc,
                                                       std::uint64_t head);

  [[nodiscard]] std::optional<strategy::SwapRoute> best_route(
      const chain::Address& token_in, const chain::Address& token_out,
      const chain::u256& amount_in) const override;
  [[nodiscard]] std::optional<chain::u256> quote(std::span<const strategy::SwapLeg> legs,
                                                 const chain::u256& amount_in) const override;
  void assume_sold(const strategy::SwapRoute& route) override;
  void retract_sold(std::span<const strategy::SwapRoute> routes) override;
  void forget_assumed() override;

  [[nodiscard]] std::size_t size() const noexcept { return pools_.size(); }
  [[nodiscard]] std::uint64_t block() const noexcept { return block_; }
  [[nodiscard]] const dex::uniswap_v3::PoolState* pool(const chain::Address& address) const;

 private:
  PoolBook(PoolBookOptions options, std::vector<dex::uniswap_v3::PoolState> pools,
           std::uint64_t block);
  // The pool's state with keeper's assumed sales applied.
  [[nodiscard]] const dex::uniswap_v3::PoolState& current(std::size_t index) const;
  [[nodiscard]] std::optional<std::size_t> index_of(const chain::Address& pool) const;
  // Every path of one or two pools from `in` to `out`.
  [[nodiscard]] std::vector<std::vector<strategy::SwapLeg>> paths(const chain::Address& in,
                                                                  const chain::Address& out) const;

  PoolBookOptions options_;
  std::vector<dex::uniswap_v3::PoolState> pools_;
  std::map<chain::Address, std::size_t> by_address_;
  // The sales assumed since the book's block, in the order they will land, and each pool's state
  // after them (a cache of replaying `sales_` over `pools_`).
  std::vector<strategy::SwapRoute> sales_;
  std::map<std::size_t, dex::uniswap_v3::PoolState> assumed_;
  // Per pool, the first of `sales_` still assumed on it: a live log of the pool (a block after the
  // book's) shows its real state, with whatever of the sales before it landed.
  std::vector<std::size_t> live_from_;
  // Pools a quote found walking beyond the ticks loaded: read again at the next head.
  mutable std::vector<bool> stale_;
  std::uint64_t block_ = 0;
  // The last log applied (block, log index): logs at or before it are not applied twice.
  std::pair<std::uint64_t, std::uint64_t> applied_through_{0, 0};
  bool applied_any_ = false;
  [[nodiscard]] bool already_applied(const chain::rpc::Log& log) const noexcept;
  // Applies sale `k` of `sales_` to the assumed states (skipping pools a live log showed since).
  void apply_sale(std::size_t k);
  void clear_assumed();
  void note_applied(const chain::rpc::Log& log) noexcept;
};

}  // namespace keeper::market
