#pragma once
// An Aave V3 market a cascade what-if can liquidate: positions copied from a block, evaluated by
// AaveV3Protocol (fixed), and reduced by each simulated liquidation exactly as
// LiquidationLogic.executeLiquidationCall reduces them (scaled balances burnt at the indexes of
// the evaluation's timestamp, the treasury's fee, the collateral and borrowing flags).
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "protocols/aave_v3/aave_v3_protocol.hpp"
#include "protocols/aave_v3/apply_liquidation.hpp"
#include "protocols/aave_v3/liquidation.hpp"
#include "protocols/aave_v3/no_pair_verdicts.hpp"
#include "strategy/cascade/ledger.hpp"

namespace protocols::aave_v3 {

class CascadeLedger final : public strategy::cascade::Ledger {
 public:
  CascadeLedger(Market market, std::map<Address, Account> positions, std::uint64_t block,
                AaveContracts contracts, ProtocolOptions options = {});

  [[nodiscard]] const strategy::LendingProtocol& protocol() const override { return *protocol_; }
  [[nodiscard]] const std::vector<strategy::cascade::AssetInfo>& assets() const override {
    return assets_;
  }
  [[nodiscard]] std::optional<strategy::AssetId> asset_id(
      const chain::Address& asset) const override;
  [[nodiscard]] std::size_t account_count() const override { return accounts_.size(); }
  [[nodiscard]] const chain::Address& address(strategy::AccountId id) const override {
    return addresses_[id];
  }
  [[nodiscard]] strategy::RankForm rank_form(strategy::AccountId id,
                                             std::uint64_t timestamp) const override;
  void health_bound(strategy::AccountId id, std::uint64_t timestamp,
                    strategy::cascade::HealthBound& out) const override;
  void prefetch(std::span<const strategy::AccountId> upcoming) const override;
  [[nodiscard]] strategy::Assessment assess(strategy::AccountId id, std::uint64_t timestamp,
                                            std::span<const chain::u256> prices) const override;
  [[nodiscard]] strategy::cascade::AccountTotals totals(
      strategy::AccountId id, std::uint64_t timestamp,
      std::span<const chain::u256> prices) const override;
  [[nodiscard]] tl::expected<strategy::cascade::Applied, std::string> apply(
      strategy::AccountId id, const strategy::Opportunity& o, std::uint64_t timestamp,
      std::span<const chain::u256> prices) override;
  [[nodiscard]] std::vector<strategy::AccountId> changed() const override;
  void restore() override;

  [[nodiscard]] const Market& market() const noexcept { return market_; }
  // How many assessments reused a no_allowed_pair verdict kept from an earlier round (see
  // NoPairVerdicts), over the ledger's life.
  [[nodiscard]] std::size_t verdicts_reused() const noexcept { return no_pair_reused_; }

 private:
  // The market with every reserve's indexes accrued to `timestamp` (as the Pool's updateState
  // leaves them, so balances read there are the same to the wei without recomputing interest)
  // and the oracle at `prices` (empty: as read).
  [[nodiscard]] const Market& at(std::uint64_t timestamp,
                                 std::span<const chain::u256> prices) const;

  Market market_;
  std::map<Address, Account> positions_;
  std::vector<std::map<Address, Account>::value_type*> accounts_;  // by AccountId (stable nodes)
  // By AccountId, side by side: an assessment that reuses a verdict reads no map node.
  std::vector<Address> addresses_;
  // By AccountId: where its positions lie, for prefetch() to load them without first waiting
  // on the map node that holds their address. Kept current by apply() and restore(); a stale
  // entry would only prefetch the wrong memory.
  struct Spot {
    const void* node = nullptr;
    const Position* positions = nullptr;
    std::size_t count = 0;
  };
  std::vector<Spot> spots_;
  void note_spot(strategy::AccountId id);
  // 2 MiB pages for the accounts and the arrays by AccountId (see the .cpp).
  void back_with_huge_pages() const;
  void back_accounts_with_huge_pages() const;
  void load_spot(strategy::AccountId id) const;
  std::vector<strategy::cascade::AssetInfo> assets_;
  std::unique_ptr<AaveV3Protocol> protocol_;  // fixed, over market_ and positions_
  // Accounts as they were before the first apply() since restore(), their positions in one
  // buffer: a sweep saves and puts back tens of thousands of accounts per shock, which copies of
  // Account (a vector each) would allocate and free every time.
  struct Original {
    strategy::AccountId id = 0;
    UserConfig config;
    std::uint8_t emode = 0;
    std::size_t first = 0;  // its positions in original_positions_
    std::size_t count = 0;
  };
  std::vector<Original> originals_;
  std::vector<Position> original_positions_;
  std::vector<bool> saved_;  // by AccountId: in originals_
  mutable Market view_;      // see at()
  mutable std::optional<std::uint64_t> view_timestamp_;
  // The last assessment's account, totals and best outcome at view_'s prices: apply() of its
  // opportunity, or totals() of an account it could not liquidate, right after needs no second
  // evaluation.
  struct Assessed {
    strategy::AccountId id = 0;
    strategy::cascade::AccountTotals totals;
    std::uint16_t collateral = 0;
    std::uint16_t debt = 0;
    std::optional<LiquidationOutcome> best;
  };
  mutable std::optional<Assessed> assessed_;
  // The balances the last assessment's account_data read, one per position of its account.
  mutable std::vector<PositionBalances> read_;

  // The health bounds of the accounts as read (no apply() since restore()), at one timestamp:
  // every Cascade over this ledger starts by asking each account's, which would otherwise be the
  // exact math over every account again for each sweep.
  struct BoundMemo {
    std::uint32_t offset = 0;  // in bound_memo_terms_
    std::uint16_t count = 0;
    bool filled = false;
    double slack = 0.0;
  };
  mutable std::vector<BoundMemo> bound_memo_;  // by AccountId
  mutable std::vector<strategy::cascade::BoundTerm> bound_memo_terms_;
  mutable std::optional<std::uint64_t> bound_memo_timestamp_;

  // Verdicts of no_allowed_pair, reused while their prices' bounds hold; apply() forgets its
  // account's, restore() and a new timestamp every one.
  mutable NoPairVerdicts no_pairs_;
  mutable std::size_t no_pair_reused_ = 0;
};

}  // namespace protocols::aave_v3
