#pragma once
// Aave V3 behind the engine's LendingProtocol: the Pool's state kept by MarketState (live) or
// held in memory (tests, one-off scans), its exact math, its calldata and its events.
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "chain/rpc/rpc_client.hpp"
#include "protocols/aave_v3/aave_sync.hpp"
#include "protocols/aave_v3/market.hpp"
#include "protocols/aave_v3/market_state.hpp"
#include "protocols/aave_v3/opportunity.hpp"
#include "protocols/aave_v3/price_feeds.hpp"
#include "strategy/lending_protocol.hpp"

namespace protocols::aave_v3 {

struct ProtocolOptions {
  // The wrapped native token's reserve (WETH on Ethereum), by address: gas is valued at its
  // oracle price. Unset: the reserve whose symbol is "WETH", the one place a symbol is used.
  std::optional<chain::Address> native_asset;
};

class AaveV3Protocol final : public strategy::LendingProtocol {
 public:
  // Live: `state` follows the chain through `rpc`.
  AaveV3Protocol(MarketState& state, chain::rpc::RpcClient& rpc, AaveContracts contracts,
                 ProtocolOptions options);
  // Fixed: a market and positions in memory, as of `block`; advance() refuses.
  AaveV3Protocol(const Market& market, const std::map<Address, Account>& positions,
                 std::uint64_t block, AaveContracts contracts, ProtocolOptions options);

  [[nodiscard]] std::string_view name() const noexcept override { return "aave-v3"; }
  [[nodiscard]] bool ready() const noexcept override;
  [[nodiscard]] std::uint64_t block() const noexcept override;
  [[nodiscard]] tl::expected<strategy::BlockUpdate, strategy::ProtocolError> advance(
      const chain::rpc::BlockHeader& head) override;
  [[nodiscard]] tl::expected<std::optional<chain::rpc::LogFilter>, strategy::ProtocolError>
  follow_price_sources(std::uint64_t block) override;

  [[nodiscard]] std::size_t asset_count() const noexcept override;
  [[nodiscard]] std::vector<double> rank_prices(
      std::span<const strategy::PriceMove> moves) const override;
  void for_each_account(const std::function<void(const chain::Address&)>& visit) const override;
  [[nodiscard]] std::size_t account_count() const noexcept override;
  [[nodiscard]] strategy::RankForm rank_form(const chain::Address& account,
                                             std::uint64_t timestamp) const override;
  [[nodiscard]] chain::u256 price_of(strategy::AssetId asset) const override;
  [[nodiscard]] std::optional<std::vector<strategy::PriceMove>> decode_price_log(
      const chain::rpc::Log& log) const override;
  [[nodiscard]] std::optional<std::vector<strategy::PriceMove>> price_moves_for_answer(
      const chain::Address& aggregator, const chain::u256& answer) const override;

  [[nodiscard]] std::vector<strategy::Assessment> assess(
      std::span<const chain::Address> accounts, std::uint64_t timestamp,
      const strategy::LiquidationLimits& limits,
      std::span<const strategy::PriceMove> moves) const override;
  [[nodiscard]] chain::u256 health_factor(const chain::Address& account,
                                          std::uint64_t timestamp) const override;
  [[nodiscard]] strategy::Valuation valuation() const override;
  [[nodiscard]] std::optional<chain::Address> asset_by_symbol(
      std::string_view symbol) const override;
  [[nodiscard]] std::vector<chain::Address> debt_assets() const override;

  [[nodiscard]] strategy::ContractCall liquidation_call(
      const strategy::Opportunity& o, bool receive_collateral_deposit) const override;
  [[nodiscard]] tl::expected<strategy::ContractCall, strategy::ProtocolError>
  contract_liquidation_call(const strategy::Opportunity& o, const chain::Address& contract,
                            bool receive_collateral_deposit) const override;
  [[nodiscard]] std::optional<std::uint32_t> flash_loan_premium_bps() const override;
  [[nodiscard]] strategy::SeizureCurve seizure_curve(
      const strategy::Opportunity& o, std::uint64_t timestamp,
      std::span<const strategy::PriceMove> moves) const override;
  [[nodiscard]] std::optional<chain::u256> value_in_base(
      const chain::Address& asset, const chain::u256& amount,
      std::span<const strategy::PriceMove> moves) const override;
  [[nodiscard]] tl::expected<strategy::ContractCall, strategy::ProtocolError>
  flash_liquidation_call(const strategy::Opportunity& o, const chain::Address& contract,
                         const strategy::FlashTerms& terms) const override;
  [[nodiscard]] chain::Address liquidation_spender() const override { return contracts_.pool; }
  [[nodiscard]] tl::expected<std::optional<chain::Address>, strategy::ProtocolError>
  liquidation_target(const chain::rpc::PendingTransaction& tx) const override;
  [[nodiscard]] std::optional<strategy::Realised> realised(
      const chain::rpc::Receipt& receipt, const chain::Address& liquidator) const override;
  [[nodiscard]] std::string symbol(const chain::Address& asset) const override;

  // Price sources known without reading them from chain (a fixed market); a live one follows
  // its own at each head.
  void use_price_feeds(FeedMap feeds) { feeds_ = std::move(feeds); }

  [[nodiscard]] const Market& market() const noexcept;
  [[nodiscard]] const std::map<Address, Account>& positions() const noexcept;
  [[nodiscard]] const AaveContracts& contracts() const noexcept { return contracts_; }

 private:
  // The account's scaled variable debt of `asset` as keeper sees it: the contract's cheap re-check.
  [[nodiscard]] chain::u256 scaled_debt_of(const Address& account, const Reserve& debt) const;
  [[nodiscard]] strategy::Assessment assess_one(const Market& market, const Address& who,
                                                const Account& account, std::uint64_t timestamp,
                                                const OpportunityLimits& limits) const;
  MarketState* live_ = nullptr;
  chain::rpc::RpcClient* rpc_ = nullptr;
  const Market* fixed_market_ = nullptr;
  const std::map<Address, Account>* fixed_positions_ = nullptr;
  std::uint64_t fixed_block_ = 0;
  AaveContracts contracts_;
  ProtocolOptions options_;
  // Price sources: the AnswerUpdated emitters and the reserves each prices.
  FeedMap feeds_;
  std::vector<Address> feed_sources_;
  std::optional<std::uint64_t> feeds_block_;
};

}  // namespace protocols::aave_v3
