#pragma once
// Morpho Blue behind the engine's LendingProtocol: the markets of one Morpho contract kept by
// MorphoBook, health exactly as Morpho._isHealthy (after `_accrueInterest` to the evaluation's
// timestamp), the best liquidation of each account as Morpho's `liquidate` would execute it, and
// its calldata and events.
//
// Money is valued in US dollars with 8 decimals (the base unit Aave's oracle uses, so bids and
// minimum profits compare alike across protocols) through the USD feeds each market's oracle
// reads; an asset whose oracle names no feed is valued at 0 (its liquidations still happen, the
// profit shows as 0). Asset ids are the book's asset indexes; an asset's price is its feed answer.
#include <cstdint>
#include <optional>

#include "protocols/morpho_blue/market_math.hpp"
#include "protocols/morpho_blue/morpho_book.hpp"
#include "strategy/lending_protocol.hpp"

namespace protocols::morpho_blue {

class MorphoBlueProtocol final : public strategy::LendingProtocol {
 public:
  explicit MorphoBlueProtocol(MorphoBook& book) : book_{book} {}

  [[nodiscard]] std::string_view name() const noexcept override { return "morpho-blue"; }
  [[nodiscard]] bool ready() const noexcept override { return book_.ready(); }
  [[nodiscard]] std::uint64_t block() const noexcept override { return book_.block(); }
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
  // Morpho's liquidation callback pays out of the sale of the seized collateral: no loan, no
  // premium.
  [[nodiscard]] std::optional<std::uint32_t> flash_loan_premium_bps() const override { return 0; }
  [[nodiscard]] strategy::SeizureCurve seizure_curve(
      const strategy::Opportunity& o, std::uint64_t timestamp,
      std::span<const strategy::PriceMove> moves) const override;
  [[nodiscard]] std::optional<chain::u256> value_in_base(
      const chain::Address& asset, const chain::u256& amount,
      std::span<const strategy::PriceMove> moves) const override;
  [[nodiscard]] tl::expected<strategy::ContractCall, strategy::ProtocolError>
  flash_liquidation_call(const strategy::Opportunity& o, const chain::Address& contract,
                         const strategy::FlashTerms& terms) const override;
  [[nodiscard]] chain::Address liquidation_spender() const override { return book_.morpho(); }
  [[nodiscard]] tl::expected<std::optional<chain::Address>, strategy::ProtocolError>
  liquidation_target(const chain::rpc::PendingTransaction& tx) const override;
  [[nodiscard]] std::optional<strategy::Realised> realised(
      const chain::rpc::Receipt& receipt, const chain::Address& liquidator) const override;
  [[nodiscard]] std::string symbol(const chain::Address& asset) const override;

  // One position evaluated at `timestamp` with feed answers `answers` (by asset index).
  struct PositionView {
    const BookMarket* market = nullptr;
    Position position;
    MarketTotals totals;  // accrued to the timestamp
    // Accrued only to the head's timestamp (the book's), when that is earlier: the least interest
    // a liquidation sent now can meet.
    MarketTotals earliest_totals;
    u256 price;  // the oracle price used
    Health health;
  };
  // Every position of `account` (with debt or collateral), evaluated as Morpho would now.
  [[nodiscard]] std::vector<PositionView> positions_of(
      const chain::Address& account, std::uint64_t timestamp,
      std::span<const strategy::PriceMove> moves = {}) const;
  // USD (8 decimals) of `amount` of asset `index`; 0 when the asset has no feed.
  [[nodiscard]] u256 usd_value(std::size_t asset, const u256& amount) const;

 private:
  [[nodiscard]] std::vector<u256> answers_with(std::span<const strategy::PriceMove> moves) const;
  [[nodiscard]] const BookMarket* market_for(const strategy::Opportunity& o) const;
  // The position `o` liquidates, evaluated at `timestamp` with `moves`.
  [[nodiscard]] std::optional<PositionView> position_for(
      const strategy::Opportunity& o, std::uint64_t timestamp,
      std::span<const strategy::PriceMove> moves) const;
  // liquidateMorpho on keeper's contract: with the swap of `terms`, or (none) paid by the wallet.
  [[nodiscard]] tl::expected<strategy::ContractCall, strategy::ProtocolError> contract_call(
      const strategy::Opportunity& o, const chain::Address& contract,
      const strategy::FlashTerms* terms) const;

  MorphoBook& book_;
  std::vector<chain::Address> followed_emitters_;
};

}  // namespace protocols::morpho_blue
