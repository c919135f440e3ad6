// The cascade ledger's exact bookkeeping without a node: its fast evaluation against the
// protocol's own, over a market accruing interest, and after its liquidations and their undo.
#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/cascade_ledger.hpp"
#include "protocols/aave_v3/liquidation.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"
#include "strategy/cascade/depth_curve.hpp"
#include "strategy/cascade/shock.hpp"
#include "strategy/cascade/simulation.hpp"
#include "tests/cascade/cascade_fixture.hpp"

using namespace chain;
using keeper::testing::cascade_fixture::kNow;
using keeper::testing::cascade_fixture::market;
using keeper::testing::cascade_fixture::reserve;
namespace aave = protocols::aave_v3;
namespace sc = strategy::cascade;

namespace {

// A market with interest accruing since an hour before `kLater` and 2000 accounts spread over
// health factors 1.0 .. 2.5: WETH or WBTC collateral (or both), USDC or DAI debt.
constexpr std::uint64_t kLater = kNow + 3600;

aave::Market accruing_market() {
  auto m = market();
  m.reserves.push_back(reserve(2, "WBTC", 8, 60000'00000000ULL, 7800, 10650));
  m.reserves.push_back(reserve(3, "DAI", 18, 1'00000000ULL, 8000, 10500));
  for (auto& r : m.reserves) {
    r.liquidity_index = aave::kRay + aave::kRay / 50 + r.id;
    r.variable_borrow_index = aave::kRay + aave::kRay / 20 + 7 * r.id;
    r.variable_borrow_rate = aave::kRay / 25;
    r.liquidity_rate = aave::kRay / 50;
  }
  return m;
}

std::map<Address, aave::Account> spread_positions(std::size_t n) {
  std::map<Address, aave::Account> out;
  std::mt19937_64 rng{5};
  std::uniform_real_distribution<double> usd(100.0, 1'000'000.0);
  std::uniform_real_distribution<double> health(1.0, 2.5);
  std::uniform_int_distribution<int> coin(0, 3);
  for (std::size_t i = 0; i < n; ++i) {
    aave::Account a;
    const int pick = coin(rng);
    const double weth = pick == 3 ? 0 : usd(rng);
    const double wbtc = pick >= 2 ? usd(rng) : 0;
    const std::uint16_t debt = coin(rng) % 2 == 0 ? 1 : 3;
    const double debt_usd = (weth * 0.825 + wbtc * 0.78) / health(rng);
    if (weth > 0) {
      a.config.data |= u256{1} << 1;
      a.positions.push_back(
          {0, u256{static_cast<std::uint64_t>(weth / 2000 * 1e12)} * 1'000'000, 0, 0, 0, 0});
    }
    if (debt == 1) {
      a.config.data |= u256{1} << 2;
      a.positions.push_back({1, 0, u256{static_cast<std::uint64_t>(debt_usd * 1e6)}, 0, 0, 0});
    }
    if (wbtc > 0) {
      a.config.data |= u256{1} << 5;
      a.positions.push_back({2, u256{static_cast<std::uint64_t>(wbtc / 60000 * 1e8)}, 0, 0, 0, 0});
    }
    if (debt == 3) {
      a.config.data |= u256{1} << 6;
      a.positions.push_back(
          {3, 0, u256{static_cast<std::uint64_t>(debt_usd * 1e6)} * u256{1'000'000'000'000ULL}, 0,
           0, 0});
    }
    Address who{};
    for (std::size_t b = 0; b < 4; ++b) who.bytes[19 - b] = static_cast<std::uint8_t>(i >> (8 * b));
    who.bytes[0] = 0xbb;
    out.emplace(who, std::move(a));
  }
  return out;
}

}  // namespace

TEST_CASE("the ledger's fast evaluation is the protocol's own, to the wei", "[cascade]") {
  // The ledger accrues indexes once and evaluates by account id; the protocol computes interest
  // and looks accounts up every time. Both must say the same of every account at every price.
  const auto original = spread_positions(2000);
  aave::CascadeLedger ledger{accruing_market(), original, 7, {}, {}};
  const auto& protocol = ledger.protocol();
  REQUIRE(ledger.account_count() == original.size());
  std::size_t liquidatable = 0;
  for (const std::int32_t bp : {0, -1000, -2500, -4000}) {
    INFO("WETH " << bp << " bp");
    std::vector<u256> prices;
    for (std::size_t i = 0; i < ledger.assets().size(); ++i)
      prices.push_back(protocol.price_of(static_cast<strategy::AssetId>(i)));
    prices[0] = sc::shocked_price(prices[0], bp);
    prices[2] = sc::shocked_price(prices[2], bp / 2);
    const std::vector<strategy::PriceMove> moves{{0, prices[0]}, {2, prices[2]}};
    auto moved = accruing_market();
    moved.reserves[0].price = prices[0];
    moved.reserves[2].price = prices[2];
    for (strategy::AccountId id = 0; id < ledger.account_count(); ++id) {
      const auto& who = ledger.address(id);
      const auto fast = ledger.assess(id, kLater, prices);
      const auto reference = protocol.assess(std::vector<Address>{who}, kLater, {}, moves);
      REQUIRE(reference.size() == 1);
      CHECK(fast.verdict == reference[0].verdict);
      CHECK(fast.best.has_value() == reference[0].best.has_value());
      if (fast.best && reference[0].best) {
        ++liquidatable;
        CHECK(fast.best->debt_to_cover == reference[0].best->debt_to_cover);
        CHECK(fast.best->debt_repaid == reference[0].best->debt_repaid);
        CHECK(fast.best->collateral_seized == reference[0].best->collateral_seized);
        CHECK(fast.best->health_factor == reference[0].best->health_factor);
        CHECK(fast.best->collateral_asset == reference[0].best->collateral_asset);
      }
      const auto t = ledger.totals(id, kLater, prices);
      const auto data = aave::account_data(moved, original.at(who), kLater).value();
      CHECK(t.health_factor == data.health_factor);
      CHECK(t.collateral_base == data.total_collateral_base);
      CHECK(t.debt_base == data.total_debt_base);
      const auto form = ledger.rank_form(id, kLater);
      CHECK(form.weights.size() == protocol.rank_form(who, kLater).weights.size());
    }
  }
  CHECK(liquidatable > 500);

  // A cascade's round 1: exactly the accounts under 1 (every account checked, not only the
  // ranked band), each liquidation the Pool's outcome for its own arguments on the account as
  // read, and the positions left as apply_liquidation leaves them.
  sc::DepthCurveExchange curve{ledger.assets(), u256{100'000'000}, {{0, 1.0}, {2, 1.0}}};
  sc::Cascade cascade{ledger, {kLater, 5}};
  const auto r = cascade.run({"WETH", -2500}, curve);
  REQUIRE(r.has_value());
  const auto& one = r->rounds.at(0);
  auto shocked = accruing_market();
  shocked.reserves[0].price = one.prices[0];
  std::set<Address> under;
  for (const auto& [who, a] : original)
    if (aave::account_data(shocked, a, kLater).value().health_factor < aave::kWad)
      under.insert(who);
  std::set<Address> named;
  for (const auto& l : one.accounts) named.insert(l.account);
  CHECK(named == under);
  REQUIRE(one.liquidated > 100);
  for (const auto& l : one.accounts) {
    if (l.verdict != strategy::Assessment::Verdict::liquidatable) continue;
    auto a = original.at(l.account);
    const auto coll = shocked.reserve_of(l.collateral_asset)->id;
    const auto debt = shocked.reserve_of(l.debt_asset)->id;
    const auto expected =
        aave::liquidation_outcome(shocked, a, coll, debt, l.debt_to_cover, kLater).value();
    CHECK(l.debt_repaid == expected.debt_repaid);
    CHECK(l.collateral_seized == expected.collateral_to_liquidator);
    CHECK(l.health_factor == expected.health_factor);
  }
  CHECK(ledger.changed().empty());
}

TEST_CASE("the ledger's evaluation follows its liquidations and their undo, to the wei",
          "[cascade]") {
  // The ledger evaluates over indexes accrued once and reuses an assessment's outcome for the
  // liquidation that follows: after liquidations change the positions (several in a row, at the
  // same prices), and after restore() puts them back, what it says must be what the Pool's math
  // says of the positions as they are then.
  const auto original = spread_positions(600);
  aave::CascadeLedger ledger{accruing_market(), original, 7, {}, {}};
  const auto& protocol = dynamic_cast<const aave::AaveV3Protocol&>(ledger.protocol());
  std::vector<u256> prices;
  for (std::size_t i = 0; i < ledger.assets().size(); ++i)
    prices.push_back(protocol.price_of(static_cast<strategy::AssetId>(i)));
  prices[0] = sc::shocked_price(prices[0], -3000);
  prices[2] = sc::shocked_price(prices[2], -1500);
  auto moved = accruing_market();
  moved.reserves[0].price = prices[0];
  moved.reserves[2].price = prices[2];
  const std::vector<strategy::PriceMove> moves{{0, prices[0]}, {2, prices[2]}};
  const auto same_as_pool = [&](strategy::AccountId id) {
    const auto& who = ledger.address(id);
    const auto fast = ledger.assess(id, kLater, prices);
    const auto reference = protocol.assess(std::vector<Address>{who}, kLater, {}, moves).at(0);
    const auto t = ledger.totals(id, kLater, prices);
    const auto data = aave::account_data(moved, protocol.positions().at(who), kLater).value();
    bool same =
        fast.verdict == reference.verdict && fast.best.has_value() == reference.best.has_value() &&
        t.health_factor == data.health_factor && t.collateral_base == data.total_collateral_base &&
        t.debt_base == data.total_debt_base;
    if (same && fast.best)
      same = fast.best->debt_repaid == reference.best->debt_repaid &&
             fast.best->collateral_seized == reference.best->collateral_seized &&
             fast.best->health_factor == reference.best->health_factor;
    return same;
  };
  std::size_t liquidated = 0;
  std::size_t twice = 0;
  for (strategy::AccountId id = 0; id < ledger.account_count(); ++id) {
    INFO("account " << id);
    // Up to three liquidations in a row, each evaluated on the positions the last one left.
    for (int n = 0; n < 3; ++n) {
      REQUIRE(same_as_pool(id));
      const auto a = ledger.assess(id, kLater, prices);
      if (a.verdict != strategy::Assessment::Verdict::liquidatable) break;
      const auto applied = ledger.apply(id, *a.best, kLater, prices);
      REQUIRE(applied.has_value());
      if (applied->collateral_seized == 0) break;
      liquidated += n == 0;
      twice += n == 1;
    }
    REQUIRE(same_as_pool(id));
  }
  CHECK(liquidated > 50);
  CHECK(twice > 10);
  ledger.restore();
  for (strategy::AccountId id = 0; id < ledger.account_count(); ++id) {
    INFO("account " << id << " restored");
    const auto& now = protocol.positions().at(ledger.address(id)).positions;
    const auto& then = original.at(ledger.address(id)).positions;
    REQUIRE(now.size() == then.size());
    for (std::size_t k = 0; k < now.size(); ++k) {
      CHECK(now[k].scaled_a_token == then[k].scaled_a_token);
      CHECK(now[k].scaled_variable_debt == then[k].scaled_variable_debt);
    }
    REQUIRE(same_as_pool(id));
  }
}
