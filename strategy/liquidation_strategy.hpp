#pragma once
// Strategies in the Collector -> Strategy -> Executor shape: sync_state() before events start, then
// process_event(event) -> actions. No sockets, no keys: tests feed events and assert actions.
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "strategy/aave_v3/opportunity.hpp"

namespace strategy {

// The whole market as of one block, in memory.
struct MarketView {
  const aave_v3::Market* market = nullptr;
  const std::map<chain::Address, aave_v3::Account>* accounts = nullptr;
  std::uint64_t block = 0;
  std::uint64_t timestamp = 0;  // of the block the actions would land in
  // When set, only these accounts are evaluated exactly (the watchlist's candidates).
  const std::vector<chain::Address>* candidates = nullptr;
};

struct NewBlock {
  MarketView view;
};
using Event = std::variant<NewBlock>;

struct LiquidateAction {
  aave_v3::Opportunity opportunity;
  chain::Address collateral_asset;
  chain::Address debt_asset;
  bool receive_a_token = false;
  double profit_usd = 0;
};
using Action = std::variant<LiquidateAction>;

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual void sync_state(const MarketView& view) = 0;
  [[nodiscard]] virtual std::vector<Action> process_event(const Event& event) = 0;
};

struct LiquidationStrategyConfig {
  double min_profit_usd = 1.0;
  double max_debt_to_cover_usd = 1e6;
  std::vector<std::string> allow_assets;  // symbols or checksummed addresses
  std::vector<std::string> deny_assets;
  bool receive_a_token = false;
  std::uint64_t gas_per_liquidation = 450'000;  // estimate used for the profit threshold
  chain::u256 max_fee_per_gas_wei;              // the worst the gas may cost
};

// Direct-funded Aave V3 liquidations: the most profitable pair per liquidatable account, net of
// gas at the fee cap, above the minimum profit, most profitable first.
class AaveLiquidationStrategy final : public Strategy {
 public:
  explicit AaveLiquidationStrategy(LiquidationStrategyConfig config) : config_{std::move(config)} {}
  void sync_state(const MarketView& view) override;
  [[nodiscard]] std::vector<Action> process_event(const Event& event) override;

 private:
  std::set<chain::Address> resolve(const std::vector<std::string>& names,
                                   const aave_v3::Market& m) const;
  LiquidationStrategyConfig config_;
  aave_v3::OpportunityLimits limits_;
};

}  // namespace strategy
