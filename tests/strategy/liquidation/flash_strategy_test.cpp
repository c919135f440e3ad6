// Flash-funded liquidations in the strategy, on the test protocol and a constant-product pool:
// the loan is sized against the pool's depth, a pool priced under the bonus is let go, and each
// sale in one decision is quoted after the ones before it.
#include <catch2/catch.hpp>

#include "strategy/flash_plan.hpp"
#include "strategy/liquidation_strategy.hpp"
#include "tests/support/toy_protocol.hpp"

using chain::Address;
using chain::u256;
using keeper::testing::ToyProtocol;

namespace {

const u256 kUnit{1'000'000'000'000'000'000ULL};
const Address kPool = Address::from_hex("0x00000000000000000000000000000000000000f1").value();

// One x*y=k pool of the toy's collateral (x) against its debt asset (y), 0.3% fee.
class ConstantProductVenue final : public strategy::SwapVenue {
 public:
  ConstantProductVenue(u256 collateral_reserve, u256 debt_reserve)
      : x_{collateral_reserve}, y_{debt_reserve} {}

  std::optional<strategy::SwapRoute> best_route(const Address& in, const Address& out,
                                                const u256& amount) const override {
    if (in != ToyProtocol::kCollateral || out != ToyProtocol::kDebt) return std::nullopt;
    const strategy::SwapLeg leg{kPool, in, out, 3000};
    const auto got = quote(std::span{&leg, 1}, amount);
    if (!got) return std::nullopt;
    return strategy::SwapRoute{{leg}, amount, *got};
  }
  std::optional<u256> quote(std::span<const strategy::SwapLeg> legs,
                            const u256& amount) const override {
    if (legs.size() != 1 || amount == 0) return std::nullopt;
    const u256 in = amount * 997 / 1000;
    return y_ * in / (x_ + in);
  }
  void assume_sold(const strategy::SwapRoute& route) override {
    y_ -= route.amount_out;
    x_ += route.amount_in;
    ++assumed_;
  }
  void retract_sold(std::span<const strategy::SwapRoute> routes) override {
    for (const auto& r : routes) {
      y_ += r.amount_out;
      x_ -= r.amount_in;
      --assumed_;
    }
  }
  void forget_assumed() override {}
  [[nodiscard]] int assumed() const { return assumed_; }

 private:
  u256 x_;
  u256 y_;
  int assumed_ = 0;
};

// 10 TOYC against 10,000 TOYD: below 1 once TOYC is under $1,250. At $1,000 half the debt
// (5,000 TOYD) may be repaid for 5.25 TOYC.
void crash(ToyProtocol& toy, std::size_t accounts) {
  for (std::size_t i = 0; i < accounts; ++i) {
    const Address who = Address::from_hex("0x00000000000000000000000000000000000000" +
                                          std::string(1, static_cast<char>('a' + i)) + "1")
                            .value();
    toy.loans[who] = {u256{10} * kUnit, u256{10'000} * kUnit};
  }
  toy.prices[0] = u256{1000} * 100'000'000;
}

// The same pool math, sold along one pool or along two (through an intermediate token): the
// route a real venue picks changes with the pools' state.
class RoutedVenue final : public strategy::SwapVenue {
 public:
  explicit RoutedVenue(bool two_pools)
      : pool_{u256{100'000} * kUnit, u256{100'000'000} * kUnit}, two_pools_{two_pools} {}
  std::optional<strategy::SwapRoute> best_route(const Address& in, const Address& out,
                                                const u256& amount) const override {
    auto route = pool_.best_route(in, out, amount);
    if (route && two_pools_) route->legs = legs();
    return route;
  }
  std::optional<u256> quote(std::span<const strategy::SwapLeg> legs,
                            const u256& amount) const override {
    const strategy::SwapLeg one{kPool, ToyProtocol::kCollateral, ToyProtocol::kDebt, 3000};
    if (legs.size() != (two_pools_ ? 2U : 1U)) return std::nullopt;
    return pool_.quote(std::span{&one, 1}, amount);
  }
  void assume_sold(const strategy::SwapRoute&) override {}
  void retract_sold(std::span<const strategy::SwapRoute>) override {}
  void forget_assumed() override {}

 private:
  static std::vector<strategy::SwapLeg> legs() {
    const Address mid = Address::from_hex("0x00000000000000000000000000000000000000e0").value();
    return {{Address::from_hex("0x00000000000000000000000000000000000000f2").value(),
             ToyProtocol::kCollateral, mid, 3000},
            {Address::from_hex("0x00000000000000000000000000000000000000f3").value(), mid,
             ToyProtocol::kDebt, 100}};
  }
  ConstantProductVenue pool_;
  bool two_pools_;
};

using Busy = std::function<std::optional<std::string>(const Address&)>;

std::vector<strategy::Action> decide(ToyProtocol& toy, strategy::SwapVenue& venue,
                                     const strategy::GasModel* gas = nullptr,
                                     const Busy* busy = nullptr) {
  strategy::LiquidationStrategyConfig cfg;
  cfg.funding = strategy::Funding::flash;
  cfg.min_profit_usd = 1;
  strategy::LiquidationStrategy s{cfg};
  strategy::FeeContext fees{u256{1'000'000'000}, 0};
  strategy::MarketView view;
  view.protocol = &toy;
  view.block = 1;
  view.timestamp = 100;
  view.fees = &fees;
  view.venue = &venue;
  view.gas = gas;
  view.busy = busy;
  return s.process_event(strategy::NewBlock{view});
}

}  // namespace

TEST_CASE("flash funding sizes the loan to the pool's depth", "[strategy][flash]") {
  struct Row {
    const char* name;
    u256 pool_collateral;  // TOYC in the pool, priced at the oracle's $1,000
    bool full_size;        // the close factor's whole 5,000 TOYD
  };
  const std::vector<Row> rows{
      {"deep pool: the whole close factor", u256{100'000} * kUnit, true},
      {"shallow pool: less than the close factor allows", u256{60} * kUnit, false},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    ToyProtocol toy;
    crash(toy, 1);
    ConstantProductVenue venue{row.pool_collateral, row.pool_collateral * 1000};
    const auto actions = decide(toy, venue);
    REQUIRE(actions.size() == 1);
    const auto* a = std::get_if<strategy::LiquidateAction>(&actions[0]);
    REQUIRE(a != nullptr);
    REQUIRE(a->flash.has_value());
    const auto& o = a->opportunity;
    const u256 max_repay = u256{5'000} * kUnit;
    CHECK((o.debt_to_cover == max_repay) == row.full_size);
    CHECK(o.debt_to_cover <= max_repay);
    CHECK(a->flash->route.amount_in == o.collateral_seized);
    // Profit is what the sale gives less the repayment and the 0.05% premium, exactly.
    CHECK(a->flash->premium == strategy::flash_premium(o.debt_to_cover, 5));
    CHECK(a->flash->profit == a->flash->route.amount_out - o.debt_repaid - a->flash->premium);
    // The contract's floor covers gas and the profit floor, and is below the expected profit.
    CHECK(a->flash->min_profit > 0);
    CHECK(a->flash->min_profit < a->flash->profit);
    CHECK(a->gas_kind.rfind("flash:", 0) == 0);
    if (!row.full_size) {
      // Selling the whole seizure would lose money; the chosen size keeps more than a 1%
      // smaller or larger one would.
      const auto curve = toy.seizure_curve(o, 100, {});
      const auto profit_at = [&](const u256& d) {
        const auto s = curve(d).value();
        const strategy::SwapLeg leg{kPool, ToyProtocol::kCollateral, ToyProtocol::kDebt, 3000};
        const ConstantProductVenue fresh{row.pool_collateral, row.pool_collateral * 1000};
        return chain::i256{fresh.quote(std::span{&leg, 1}, s.collateral_seized).value()} -
               chain::i256{s.debt_repaid} - chain::i256{strategy::flash_premium(d, 5)};
      };
      const chain::i256 chosen{a->flash->profit};
      CHECK(profit_at(max_repay) < 0);
      CHECK(chosen >= profit_at(o.debt_to_cover * 99 / 100));
      CHECK(chosen >= profit_at(o.debt_to_cover * 101 / 100));
    }
  }
}

TEST_CASE("a pool priced under the liquidation bonus is let go with its reason",
          "[strategy][flash]") {
  ToyProtocol toy;
  crash(toy, 1);
  // The pool pays $900 a TOYC where the oracle says $1,000: the 5% bonus cannot cover it.
  ConstantProductVenue venue{u256{100'000} * kUnit, u256{90'000'000} * kUnit};
  const auto actions = decide(toy, venue);
  REQUIRE(actions.size() == 1);
  const auto* skip = std::get_if<strategy::SkipAction>(&actions[0]);
  REQUIRE(skip != nullptr);
  CHECK(skip->reason == "swap_unprofitable");
  CHECK(venue.assumed() == 0);
}

TEST_CASE("each sale in one decision is quoted after the ones before it", "[strategy][flash]") {
  ToyProtocol toy;
  crash(toy, 2);
  ConstantProductVenue venue{u256{1000} * kUnit, u256{1'000'000} * kUnit};
  const auto actions = decide(toy, venue);
  REQUIRE(actions.size() == 2);
  const auto* first = std::get_if<strategy::LiquidateAction>(&actions[0]);
  const auto* second = std::get_if<strategy::LiquidateAction>(&actions[1]);
  REQUIRE(first != nullptr);
  REQUIRE(second != nullptr);
  CHECK(venue.assumed() == 2);
  // Identical accounts: the second sells into the pool the first left, so it gets less per TOYC.
  const auto per_unit = [](const strategy::LiquidateAction& a) {
    return chain::to_double(a.flash->route.amount_out) / chain::to_double(a.flash->route.amount_in);
  };
  CHECK(per_unit(*second) < per_unit(*first));
  CHECK(second->flash->profit < first->flash->profit);
}

// The daemon's Morpho liquidations that ran out of gas on the devnet: the gas model learned
// 354k from a WETH>USDC sale through one two-pool route and signed a later WETH>USDC sale through
// another route with 460k (x 1.3), which that route's pools overran. Each route learns its own
// (and a learned figure is a receipt's, net of refunds the run still needs: see GasModel::limit).
TEST_CASE("a flash liquidation's gas limit is learned per sale route, not per pair",
          "[strategy][flash][gas]") {
  const auto action = [](strategy::SwapVenue& venue, const strategy::GasModel& gas) {
    ToyProtocol toy;
    crash(toy, 1);
    const auto actions = decide(toy, venue, &gas);
    REQUIRE(actions.size() == 1);
    const auto* a = std::get_if<strategy::LiquidateAction>(&actions[0]);
    REQUIRE(a != nullptr);
    REQUIRE(a->flash.has_value());
    return *a;
  };
  const strategy::GasModelOptions defaults;
  const std::uint64_t unseen_limit =
      defaults.default_flash_gas_used * defaults.limit_margin_permille / 1000;
  strategy::GasModel gas;
  RoutedVenue one_pool{false};
  RoutedVenue two_pools{true};

  const auto first = action(one_pool, gas);
  CHECK(first.gas_limit == unseen_limit);
  CHECK(first.flash->route.legs.size() == 1);
  gas.observe(first.gas_kind, 300'000);  // its receipt
  // The same route again: what its receipt taught, raised by the refunds a receipt nets out
  // (up to a quarter) and the 1.3 margin.
  const auto again = action(one_pool, gas);
  CHECK(again.gas_kind == first.gas_kind);
  CHECK(again.gas_limit == 487'500);
  // The same pair through two other pools: nothing learned yet, the default's room.
  const auto other = action(two_pools, gas);
  CHECK(other.flash->route.legs.size() == 2);
  CHECK(other.gas_kind != first.gas_kind);
  CHECK(other.gas_kind.rfind("flash:", 0) == 0);
  CHECK(other.gas_limit == unseen_limit);
  CHECK(other.gas_limit > 400'000);
}

TEST_CASE("an account keeper is already liquidating is let go before its sale is assumed",
          "[strategy][flash]") {
  // Two identical accounts; keeper's liquidation of the first is in flight. Deciding it again
  // would assume its sale a second time, and the second account's quote would start from a pool
  // that sale never moves (on chain: a swap below its floor, a revert).
  ToyProtocol toy;
  crash(toy, 2);
  const auto first = toy.loans.begin()->first;
  ConstantProductVenue busy_venue{u256{1000} * kUnit, u256{1'000'000} * kUnit};
  ConstantProductVenue alone_venue{u256{1000} * kUnit, u256{1'000'000} * kUnit};

  const Busy busy = [&](const Address& a) -> std::optional<std::string> {
    if (a == first) return "in_flight";
    return std::nullopt;
  };
  const auto actions = decide(toy, busy_venue, nullptr, &busy);
  REQUIRE(actions.size() == 2);
  const strategy::LiquidateAction* taken = nullptr;
  const strategy::SkipAction* let_go = nullptr;
  for (const auto& a : actions) {
    if (const auto* l = std::get_if<strategy::LiquidateAction>(&a)) taken = l;
    if (const auto* k = std::get_if<strategy::SkipAction>(&a)) let_go = k;
  }
  REQUIRE(taken != nullptr);
  REQUIRE(let_go != nullptr);
  CHECK(let_go->account == first);
  CHECK(let_go->reason == "in_flight");
  CHECK(let_go->gross_profit_usd > 0);
  CHECK(busy_venue.assumed() == 1);
  // The other account is quoted on the pool as it is, as if it were the only one.
  toy.loans.erase(first);
  const auto alone = decide(toy, alone_venue);
  REQUIRE(alone.size() == 1);
  const auto* only = std::get_if<strategy::LiquidateAction>(&alone[0]);
  REQUIRE(only != nullptr);
  CHECK(taken->flash->route.amount_out == only->flash->route.amount_out);
  CHECK(taken->flash->profit == only->flash->profit);
}
