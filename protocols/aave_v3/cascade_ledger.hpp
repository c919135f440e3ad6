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
#include "protocols/aave_v3/liquidation.hpp"
#include "strategy/cascade/ledger.hpp"

namespace protocols::aave_v3 {

// What one liquidation leaves of an account; errors where the Pool would revert.
[[nodiscard]] tl::expected<void, std::string> apply_liquidation(
    const Market& market, Account& account, std::uint16_t collateral, std::uint16_t debt,
    const LiquidationOutcome& outcome, std::uint64_t timestamp);

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
    return accounts_[id]->first;
  }
  [[nodiscard]] strategy::RankForm rank_form(strategy::AccountId id,
                                             std::uint64_t timestamp) const override;
  void health_bound(strategy::AccountId id, std::uint64_t timestamp,
                    strategy::cascade::HealthBound& out) const override;
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

 private:
  // The market with every reserve's indexes accrued to `timestamp` (as the Pool's updateState
  // leaves them, so balances read there are the same to the wei without recomputing interest)
  // and the oracle at `prices` (empty: as read).
  [[nodiscard]] const Market& at(std::uint64_t timestamp,
                                 std::span<const chain::u256> prices) const;

  Market market_;
  std::map<Address, Account> positions_;
  std::vector<std::map<Address, Account>::value_type*> accounts_;  // by AccountId (stable nodes)
  std::vector<strategy::cascade::AssetInfo> assets_;
  std::unique_ptr<AaveV3Protocol> protocol_;  // fixed, over market_ and positions_
  // Accounts as they were before the first apply() since restore().
  std::vector<std::pair<strategy::AccountId, Account>> originals_;
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
};

}  // namespace protocols::aave_v3
