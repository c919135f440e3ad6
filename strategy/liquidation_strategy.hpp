#pragma once
// Strategies in the Collector -> Strategy -> Executor shape: sync_state() before events start, then
// process_event(event) -> actions. No sockets, no keys, no protocol types: the protocol evaluates
// accounts exactly behind LendingProtocol; the strategy bids, prices gas and keeps the limits.
// Tests feed events and assert actions.
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "strategy/bidding.hpp"
#include "strategy/flash_plan.hpp"
#include "strategy/gas_model.hpp"
#include "strategy/lending_protocol.hpp"
#include "strategy/swap_venue.hpp"

namespace strategy {

// The market as the strategy sees it at one moment.
struct MarketView {
  const LendingProtocol* protocol = nullptr;
  std::uint64_t block = 0;
  std::uint64_t timestamp = 0;  // of the block the actions would land in
  // When set, only these accounts are evaluated exactly (the watchlist's candidates).
  const std::vector<chain::Address>* candidates = nullptr;
  // Prices not yet in the protocol's state (a tick): evaluated as if they were.
  std::span<const PriceMove> moves;
  // The fee market at this head; without it gas is priced at a zero base fee.
  const FeeContext* fees = nullptr;
  // Expected gas per kind of liquidation; without it, the strategy's default.
  const GasModel* gas = nullptr;
  // Debt asset -> what keeper can pay with now (balance less what is in flight); null: no limit.
  const std::map<chain::Address, chain::u256>* inventory = nullptr;
  // Account -> the highest tip of a competitor's pending liquidation of it.
  const std::map<chain::Address, chain::u256>* competitor_tips = nullptr;
  // Where flash funding sells the seized collateral; it remembers the sales decided here.
  SwapVenue* venue = nullptr;
  // Accounts keeper will not liquidate now, with why (its own liquidation of them in flight, or
  // landed in a block the state does not reach yet): let go before any sale of theirs is
  // assumed on the venue, where it would move every later quote of the decision. Null: none.
  const std::function<std::optional<std::string>(const chain::Address&)>* busy = nullptr;
};

struct NewBlock {
  MarketView view;
};
using Event = std::variant<NewBlock>;

// The swap and floors of a flash-funded liquidation, for keeper's contract.
struct FlashDetails {
  SwapRoute route;         // sells all the seized collateral for the debt asset
  chain::u256 premium;     // the flash loan's, in the debt asset
  chain::u256 profit;      // expected, in the debt asset, before gas
  chain::u256 min_profit;  // below this (gas at the expected fee + the profit floor) it reverts
};

struct LiquidateAction {
  Opportunity opportunity;
  // Take the collateral as a deposit in the protocol (Aave's aToken) rather than the token.
  bool receive_collateral_deposit = false;
  double profit_usd = 0;  // net of gas at the expected fee
  Bid bid;
  std::string gas_kind;  // the gas model's key for this liquidation
  std::uint64_t gas_limit = 0;
  std::optional<FlashDetails> flash;  // set: the debt asset is borrowed, the collateral sold
};

// A liquidatable account the strategy let go, and why: logged and counted, never silent.
struct SkipAction {
  chain::Address account;
  std::string reason;  // a stable label for metrics: "unprofitable", "outbid", ...
  double gross_profit_usd = 0;
};
using Action = std::variant<LiquidateAction, SkipAction>;

class Strategy {
 public:
  Strategy() = default;
  Strategy(const Strategy&) = delete;
  Strategy& operator=(const Strategy&) = delete;
  virtual ~Strategy() = default;
  virtual void sync_state(const MarketView& view) = 0;
  [[nodiscard]] virtual std::vector<Action> process_event(const Event& event) = 0;
};

// Where the debt asset a liquidation repays comes from.
enum class Funding {
  wallet,    // keeper's wallet (its inventory), pulled by the protocol or keeper's contract
  contract,  // keeper's contract's own balance
  flash,     // borrowed for the transaction and repaid from the seized collateral's sale
};

struct LiquidationStrategyConfig {
  Funding funding = Funding::wallet;
  double min_profit_usd = 1.0;
  double max_debt_to_cover_usd = 1e6;
  std::vector<std::string> allow_assets;  // symbols or checksummed addresses
  std::vector<std::string> deny_assets;
  bool receive_collateral_deposit = false;
  chain::u256 max_fee_per_gas_wei = chain::u256{200'000'000'000ULL};         // guard: never above
  chain::u256 max_priority_fee_per_gas_wei = chain::u256{3'000'000'000ULL};  // highest tip offered
  double bid_share = 0.5;  // of the profit per gas above the base fee
};

// The most profitable pair per liquidatable account within the inventory, with a bid (tip) sized
// from its profit, net of gas at the expected fee and above the minimum profit, most profitable
// first; the accounts let go come back as skips with their reason.
class LiquidationStrategy final : public Strategy {
 public:
  explicit LiquidationStrategy(LiquidationStrategyConfig config) : config_{std::move(config)} {}
  void sync_state(const MarketView& view) override;
  [[nodiscard]] std::vector<Action> process_event(const Event& event) override;

 private:
  [[nodiscard]] std::set<chain::Address> resolve(const std::vector<std::string>& names,
                                                 const LendingProtocol& protocol) const;
  // One evaluated account: an action, a skip, or nothing when it is healthy.
  [[nodiscard]] std::optional<Action> consider(const MarketView& view, const Valuation& value,
                                               const Assessment& assessment) const;
  // A liquidatable account's opportunity bid for (and, with flash funding, sized and routed,
  // its sale assumed on the venue).
  [[nodiscard]] Action act_on(const MarketView& view, const Valuation& value,
                              const Opportunity& best) const;
  [[nodiscard]] static std::optional<chain::u256> competitor_tip(const MarketView& view,
                                                                 const chain::Address& who);
  [[nodiscard]] Action act_on_flash(const MarketView& view, const Valuation& value,
                                    const Opportunity& best) const;
  LiquidationStrategyConfig config_;
  LiquidationLimits limits_;
  BidPolicy policy_;
  GasModel default_gas_;
};

}  // namespace strategy
