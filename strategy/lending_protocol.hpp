#pragma once
// What a lending protocol gives the engine, and all the engine knows of it. The engine (watchlist,
// trigger index, strategy, pipeline, transaction manager, executors) works on accounts, assets by
// address, exact health factors and opportunities; each protocol (Aave V3, Morpho Blue, a toy one
// in the tests) keeps its own state true and does its own math behind this interface.
//
// Money the engine compares is in the protocol's base currency (`valuation().base_unit` per US
// dollar: 1e8 for Aave V3's oracle), so bids, minimum profit and gas are priced alike.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "chain/bytes.hpp"
#include "chain/rpc/types.hpp"
#include "chain/uint256.hpp"
#include "strategy/evaluator/risk_book.hpp"

namespace strategy {

// 1e18 is 1.0; kNoDebt for an account that owes nothing.
inline constexpr chain::u256 kHealthOne{1'000'000'000'000'000'000ULL};
inline const chain::u256 kNoDebt = chain::kU256Max;

// What advancing the protocol's state to a head did.
struct BlockUpdate {
  std::uint64_t from = 0;  // first block whose logs were read
  std::uint64_t to = 0;
  std::size_t logs = 0;
  std::size_t accounts_refreshed = 0;
  std::size_t accounts_new = 0;
  std::string resynced;                         // non-empty: why everything was re-read
  std::vector<chain::Address> touched;          // accounts whose positions changed
  std::map<std::string, std::uint64_t> events;  // decoded logs by kind, for metrics
};

enum class ProtocolErrorKind {
  transient,  // the node did not answer (in time): the next head retries
  bad_data,   // the node answered something the protocol cannot use
  fatal,      // the configuration cannot work (wrong addresses, unsupported market)
};
struct ProtocolError {
  ProtocolErrorKind kind = ProtocolErrorKind::transient;
  std::string message;
};

// One asset's price moving before any block says so (an oracle's log, a pending update), in the
// protocol's own price units.
struct PriceMove {
  AssetId asset = 0;
  chain::u256 price;
};

// What limits the engine puts on a liquidation: assets allowed, a size cap, and what keeper can
// pay with now when it pays from inventory.
struct LiquidationLimits {
  std::set<chain::Address> allow_assets;  // empty: every asset
  std::set<chain::Address> deny_assets;
  chain::u256 max_debt_to_cover_base;                                      // 0: no cap
  const std::map<chain::Address, chain::u256>* max_debt_amount = nullptr;  // null: no limit
};

// The best liquidation of one account, exactly as its protocol would execute it.
struct Opportunity {
  chain::Address account;
  chain::Address collateral_asset;
  chain::Address debt_asset;
  chain::u256 debt_to_cover;      // the call's argument
  chain::u256 debt_repaid;        // what the protocol will take, exactly
  chain::u256 collateral_seized;  // what the liquidator receives, exactly
  chain::u256 health_factor;      // before; see kHealthOne
  chain::u256 gross_profit_base;  // collateral value less debt value at oracle prices, no gas
  std::string label;              // "WETH/USDC": for people reading logs
};

// One account, evaluated exactly.
struct Assessment {
  enum class Verdict {
    healthy,
    liquidatable,     // `best` is set
    no_collateral,    // bad debt: nothing left to seize
    no_allowed_pair,  // collateral left, but no pair within the limits
    no_bonus,         // the best pair pays nothing
  } verdict = Verdict::healthy;
  chain::Address account;
  std::optional<Opportunity> best;
};
[[nodiscard]] std::string_view to_string(Assessment::Verdict v) noexcept;

// How a flash liquidation through keeper's contract sells what it seizes and what it must keep:
// the swap's router and packed path, and the minimums below which the whole transaction reverts.
struct FlashTerms {
  chain::Address router;
  chain::Bytes path;               // the DEX's own encoding of the route, collateral to debt asset
  chain::u256 amount_out_minimum;  // of the debt asset, for all the seized collateral
  chain::u256 min_profit;          // of the debt asset, after the loan and its premium
};

// What a liquidation of a given debt to cover repays and seizes, exactly as the protocol would;
// nullopt where the protocol would refuse.
struct Seizure {
  chain::u256 debt_repaid;
  chain::u256 collateral_seized;
};
using SeizureCurve = std::function<std::optional<Seizure>(const chain::u256& debt_to_cover)>;

// A call to a contract: to whom and with what.
struct ContractCall {
  chain::Address to;
  chain::Bytes data;
};

// A liquidation of ours as it landed, read from its receipt.
struct Realised {
  chain::u256 debt_repaid;
  chain::u256 collateral_received;
  chain::u256 gas_paid_wei;
  double profit_usd = 0;  // collateral less debt less gas, at the protocol's prices
  // A flash liquidation: the profit its contract kept, in the debt asset, before gas.
  std::optional<chain::u256> flash_profit;
};

// How an account ranks: its linear form in the protocol's prices, and whether a single price
// vector cannot rank it (then it is always evaluated exactly).
struct RankForm {
  std::vector<Weight> weights;
  bool always_exact = false;
};

struct Valuation {
  chain::u256 base_unit;          // base currency units per US dollar
  chain::u256 native_price_base;  // one native token (ETH) in base units; 0 when unknown
};

class LendingProtocol {
 public:
  LendingProtocol() = default;
  LendingProtocol(const LendingProtocol&) = delete;
  LendingProtocol& operator=(const LendingProtocol&) = delete;
  virtual ~LendingProtocol() = default;

  // "aave-v3", "morpho-blue": for logs and metric labels.
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;

  // ---- Keeping state true (off the hot path) ----
  [[nodiscard]] virtual bool ready() const noexcept = 0;
  [[nodiscard]] virtual std::uint64_t block() const noexcept = 0;
  // Brings the state to `head`: the head's logs applied, what changed re-read. On error the state
  // stays where it was and the next head covers this one.
  [[nodiscard]] virtual tl::expected<BlockUpdate, ProtocolError> advance(
      const chain::rpc::BlockHeader& head) = 0;
  // The logs that move prices (oracle aggregators' updates), followed again as of `block`; a new
  // filter only when it changed.
  [[nodiscard]] virtual tl::expected<std::optional<chain::rpc::LogFilter>, ProtocolError>
  follow_price_sources(std::uint64_t block) = 0;

  // ---- Ranking: the watchlist's inputs ----
  [[nodiscard]] virtual std::size_t asset_count() const noexcept = 0;
  // Prices by AssetId, in the units of RankForm weights; `moves` applied on top.
  [[nodiscard]] virtual std::vector<double> rank_prices(
      std::span<const PriceMove> moves = {}) const = 0;
  virtual void for_each_account(const std::function<void(const chain::Address&)>& visit) const = 0;
  [[nodiscard]] virtual std::size_t account_count() const noexcept = 0;
  [[nodiscard]] virtual RankForm rank_form(const chain::Address& account,
                                           std::uint64_t timestamp) const = 0;
  // The current price of an asset, for a price move's "from".
  [[nodiscard]] virtual chain::u256 price_of(AssetId asset) const = 0;

  // ---- Price ticks ----
  // The price moves a price source's log means (empty when the prices already hold it);
  // nullopt when it is no price update of this protocol.
  [[nodiscard]] virtual std::optional<std::vector<PriceMove>> decode_price_log(
      const chain::rpc::Log& log) const = 0;
  // The price moves `aggregator`'s next answer would mean once mined (an oracle update still in
  // the mempool): `answer` is the aggregator's int256 in two's complement, as its AnswerUpdated
  // log carries it. nullopt when this protocol reads no price from `aggregator`; empty when the
  // prices already hold it, or the oracle would not take it (a non-positive answer).
  [[nodiscard]] virtual std::optional<std::vector<PriceMove>> price_moves_for_answer(
      const chain::Address& aggregator, const chain::u256& answer) const = 0;

  // ---- Exact evaluation ----
  // Each account at `timestamp`, with `moves` applied, in the order given. Accounts the protocol
  // does not know are left out.
  [[nodiscard]] virtual std::vector<Assessment> assess(
      std::span<const chain::Address> accounts, std::uint64_t timestamp,
      const LiquidationLimits& limits, std::span<const PriceMove> moves = {}) const = 0;
  // The exact health factor of an account now (kNoDebt when it owes nothing or is unknown).
  [[nodiscard]] virtual chain::u256 health_factor(const chain::Address& account,
                                                  std::uint64_t timestamp) const = 0;
  [[nodiscard]] virtual Valuation valuation() const = 0;
  // An asset named by its symbol in this market; nullopt when none is.
  [[nodiscard]] virtual std::optional<chain::Address> asset_by_symbol(
      std::string_view symbol) const = 0;
  // The assets an opportunity may ask keeper to pay (inventory and approvals follow them).
  [[nodiscard]] virtual std::vector<chain::Address> debt_assets() const = 0;

  // ---- Execution ----
  // The protocol's own liquidation call, made by the payer itself.
  [[nodiscard]] virtual ContractCall liquidation_call(const Opportunity& o,
                                                      bool receive_collateral_deposit) const = 0;
  // The same through keeper's liquidator contract at `contract`, which re-checks the account on
  // chain and exits cheaply when someone was first.
  [[nodiscard]] virtual tl::expected<ContractCall, ProtocolError> contract_liquidation_call(
      const Opportunity& o, const chain::Address& contract,
      bool receive_collateral_deposit) const = 0;
  // ---- Capital-free liquidations (optional: a protocol without flash loans keeps the defaults)
  // ---- The flash loan's premium in basis points of the amount borrowed, as the protocol charges
  // it now; nullopt when it lends no flash loans keeper's contract can use.
  [[nodiscard]] virtual std::optional<std::uint32_t> flash_loan_premium_bps() const {
    return std::nullopt;
  }
  // What `o`'s pair seizes for any smaller debt to cover (the same account, time and moves): a
  // flash liquidation sizes its repayment against the swap's price impact.
  [[nodiscard]] virtual SeizureCurve seizure_curve(const Opportunity& /*o*/,
                                                   std::uint64_t /*timestamp*/,
                                                   std::span<const PriceMove> /*moves*/) const {
    return {};
  }
  // `amount` of `asset` in base currency at the protocol's prices with `moves` applied.
  [[nodiscard]] virtual std::optional<chain::u256> value_in_base(
      const chain::Address& /*asset*/, const chain::u256& /*amount*/,
      std::span<const PriceMove> /*moves*/) const {
    return std::nullopt;
  }
  // `o` through keeper's contract with the debt asset borrowed for the transaction's length.
  [[nodiscard]] virtual tl::expected<ContractCall, ProtocolError> flash_liquidation_call(
      const Opportunity& /*o*/, const chain::Address& /*contract*/,
      const FlashTerms& /*terms*/) const {
    return tl::unexpected(
        ProtocolError{ProtocolErrorKind::fatal, "this protocol has no flash liquidation"});
  }

  // Who pulls the debt asset from the payer on a direct liquidation call.
  [[nodiscard]] virtual chain::Address liquidation_spender() const = 0;
  // The account a pending transaction liquidates through this protocol, if it does; bad_data
  // when it calls the liquidation with calldata that does not decode (it would revert).
  [[nodiscard]] virtual tl::expected<std::optional<chain::Address>, ProtocolError>
  liquidation_target(const chain::rpc::PendingTransaction& tx) const = 0;
  // What a mined liquidation by `liquidator` realised, from its receipt.
  [[nodiscard]] virtual std::optional<Realised> realised(
      const chain::rpc::Receipt& receipt, const chain::Address& liquidator) const = 0;
  // An asset's symbol, for people reading logs.
  [[nodiscard]] virtual std::string symbol(const chain::Address& asset) const = 0;
};

}  // namespace strategy
