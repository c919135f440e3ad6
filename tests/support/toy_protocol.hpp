#pragma once
// A lending protocol written for the tests, behind the engine's LendingProtocol: one collateral
// (asset 0) and one debt (asset 1) per account, an 80% liquidation threshold, a 5% bonus, half the
// debt per liquidation, prices in base units (1e8 per dollar). Adding it touched no engine file:
// it is the proof that the engine is protocol-neutral, and the scripted protocol of the engine's
// unit tests. Its "oracle" logs carry the new price of an asset in topic 1.
#include <map>

#include "strategy/lending_protocol.hpp"

namespace keeper::testing {

class ToyProtocol final : public strategy::LendingProtocol {
 public:
  struct Loan {
    chain::u256 collateral;  // of asset 0, 18 decimals
    chain::u256 debt;        // of asset 1, 18 decimals
  };
  static const chain::Address kCollateral;
  static const chain::Address kDebt;
  static const chain::Address kMarket;  // the contract liquidations are sent to
  static const chain::Address kOracle;  // emits the price logs
  // An aggregator whose answer is asset 0's price: its pending updates are backrun.
  static const chain::Address kCollateralFeed;

  // What the test changes; advance() makes it the state at the next head.
  std::map<chain::Address, Loan> loans;
  chain::u256 prices[2] = {chain::u256{2000} * 100'000'000, chain::u256{100'000'000}};
  // Whether a mined liquidation of ours liquidated (realised) or was a no-op (beaten to it).
  bool liquidations_land = false;

  // A price log of the toy oracle: asset in topic 1, price in topic 2.
  [[nodiscard]] static chain::rpc::Log price_log(strategy::AssetId asset, const chain::u256& price,
                                                 std::uint64_t block);
  // The calldata the toy sends for a liquidation: selector 0x70 then the account.
  [[nodiscard]] static chain::Bytes liquidation_data(const chain::Address& account);

  std::string_view name() const noexcept override { return "toy"; }
  bool ready() const noexcept override { return true; }
  std::uint64_t block() const noexcept override { return block_; }
  tl::expected<strategy::BlockUpdate, strategy::ProtocolError> advance(
      const chain::rpc::BlockHeader& head) override;
  tl::expected<std::optional<chain::rpc::LogFilter>, strategy::ProtocolError> follow_price_sources(
      std::uint64_t block) override;
  std::size_t asset_count() const noexcept override { return 2; }
  std::vector<double> rank_prices(std::span<const strategy::PriceMove> moves) const override;
  void for_each_account(const std::function<void(const chain::Address&)>& visit) const override;
  std::size_t account_count() const noexcept override { return loans.size(); }
  strategy::RankForm rank_form(const chain::Address& account,
                               std::uint64_t timestamp) const override;
  chain::u256 price_of(strategy::AssetId asset) const override;
  std::optional<std::vector<strategy::PriceMove>> decode_price_log(
      const chain::rpc::Log& log) const override;
  std::optional<std::vector<strategy::PriceMove>> price_moves_for_answer(
      const chain::Address& aggregator, const chain::u256& answer) const override;
  std::vector<strategy::Assessment> assess(
      std::span<const chain::Address> accounts, std::uint64_t timestamp,
      const strategy::LiquidationLimits& limits,
      std::span<const strategy::PriceMove> moves) const override;
  chain::u256 health_factor(const chain::Address& account, std::uint64_t timestamp) const override;
  strategy::Valuation valuation() const override;
  std::optional<chain::Address> asset_by_symbol(std::string_view symbol) const override;
  std::vector<chain::Address> debt_assets() const override { return {kDebt}; }
  strategy::ContractCall liquidation_call(const strategy::Opportunity& o,
                                          bool receive_collateral_deposit) const override;
  tl::expected<strategy::ContractCall, strategy::ProtocolError> contract_liquidation_call(
      const strategy::Opportunity& o, const chain::Address& contract,
      bool receive_collateral_deposit) const override;
  // Flash loans at 0.05%, so the engine's capital-free path can be driven too.
  std::optional<std::uint32_t> flash_loan_premium_bps() const override { return 5; }
  strategy::SeizureCurve seizure_curve(const strategy::Opportunity& o, std::uint64_t timestamp,
                                       std::span<const strategy::PriceMove> moves) const override;
  std::optional<chain::u256> value_in_base(
      const chain::Address& asset, const chain::u256& amount,
      std::span<const strategy::PriceMove> moves) const override;
  chain::Address liquidation_spender() const override { return kMarket; }
  tl::expected<std::optional<chain::Address>, strategy::ProtocolError> liquidation_target(
      const chain::rpc::PendingTransaction& tx) const override;
  std::optional<strategy::Realised> realised(const chain::rpc::Receipt& receipt,
                                             const chain::Address& liquidator) const override;
  std::string symbol(const chain::Address& asset) const override;

 private:
  [[nodiscard]] chain::u256 health(const Loan& loan, const chain::u256 (&p)[2]) const;
  std::uint64_t block_ = 0;
  bool sources_announced_ = false;
};

}  // namespace keeper::testing
