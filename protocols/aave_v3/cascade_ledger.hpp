#pragma once
// An Aave V3 market a cascade what-if can liquidate: positions copied from a block, evaluated by
// AaveV3Protocol (fixed), and reduced by each simulated liquidation exactly as
// LiquidationLogic.executeLiquidationCall reduces them (scaled balances burnt at the indexes of
// the evaluation's timestamp, the treasury's fee, the collateral and borrowing flags).
#include <map>
#include <memory>
#include <unordered_map>

#include "protocols/aave_v3/aave_v3_protocol.hpp"
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
  [[nodiscard]] strategy::cascade::AccountTotals totals(
      const chain::Address& account, std::uint64_t timestamp,
      std::span<const strategy::PriceMove> moves) const override;
  [[nodiscard]] tl::expected<strategy::cascade::Applied, std::string> apply(
      const strategy::Opportunity& o, std::uint64_t timestamp,
      std::span<const strategy::PriceMove> moves) override;
  [[nodiscard]] std::vector<chain::Address> changed() const override;
  void restore() override;

  [[nodiscard]] const Market& market() const noexcept { return market_; }

 private:
  Market market_;
  std::map<Address, Account> positions_;
  std::vector<strategy::cascade::AssetInfo> assets_;
  std::unique_ptr<AaveV3Protocol> protocol_;        // fixed, over market_ and positions_
  std::unordered_map<Address, Account> originals_;  // before the first apply() since restore()
  // The market at the last moves asked for: a round asks for the same ones thousands of times.
  [[nodiscard]] const Market& at(std::span<const strategy::PriceMove> moves) const;
  mutable Market moved_;
  mutable std::vector<strategy::PriceMove> moved_for_;
  mutable bool moved_valid_ = false;
};

}  // namespace protocols::aave_v3
