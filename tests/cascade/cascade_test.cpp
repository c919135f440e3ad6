// The cascade what-if without a node: shock parsing, the exact liquidation of an in-memory Aave V3
// market round by round with a depth curve, the ledger's exact bookkeeping and its undo, the
// oracle-to-pool price the Uniswap exchange arbitrages to, and the debt-share metric.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "cascade/report.hpp"
#include "cascade/svg_plot.hpp"
#include "cascade/uniswap_exchange.hpp"
#include "keeper/commands/cascade_gauge_wiring.hpp"
#include "keeper/devnet/uniswap_pool_math.hpp"
#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/cascade_ledger.hpp"
#include "protocols/aave_v3/liquidation.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"
#include "strategy/cascade/debt_at_risk.hpp"
#include "strategy/cascade/depth_curve.hpp"
#include "strategy/cascade/shock.hpp"
#include "strategy/cascade/simulation.hpp"
#include "tests/cascade/xml_check.hpp"

using namespace chain;
using keeper::testing::count_of;
using keeper::testing::parse_xml;
namespace aave = protocols::aave_v3;
namespace sc = strategy::cascade;

namespace {

Address addr(std::uint8_t b) {
  Address a{};
  a.bytes[19] = b;
  return a;
}

constexpr std::uint64_t kNow = 1'000;

aave::Reserve reserve(std::uint16_t id, const char* symbol, unsigned decimals, std::uint64_t price,
                      std::uint32_t lt, std::uint32_t bonus) {
  aave::Reserve r;
  r.id = id;
  r.symbol = symbol;
  r.asset = addr(static_cast<std::uint8_t>(100 + id));
  r.config.decimals = decimals;
  r.config.liquidation_threshold = lt;
  r.config.ltv = lt - 500;
  r.config.liquidation_bonus = bonus;
  r.config.liquidation_protocol_fee = 1000;  // 10% of the bonus to the treasury
  r.config.active = true;
  r.liquidity_index = aave::kRay;
  r.variable_borrow_index = aave::kRay;
  r.last_update = kNow;
  r.price = price;
  return r;
}

// `weth` WETH supplied as collateral, `usdc` USDC borrowed (whole tokens).
aave::Account account(std::uint64_t weth, std::uint64_t usdc) {
  aave::Account a;
  a.config.data = 0b0110;
  a.positions.push_back({0, u256{weth} * aave::pow10(18), 0, 0, 0, 0});
  a.positions.push_back({1, 0, u256{usdc} * aave::pow10(6), 0, 0, 0});
  return a;
}

aave::Market market() {
  aave::Market m;
  m.reserves = {reserve(0, "WETH", 18, 2000'00000000ULL, 8250, 10500),
                reserve(1, "USDC", 6, 1'00000000ULL, 8000, 10450)};
  return m;
}

// At WETH $2000 (LT 82.5%): A 1.1, B 1.03125, C 0.9706, D 0.66 (too little collateral: bad debt
// once liquidated).
std::map<Address, aave::Account> positions() {
  return {{addr(1), account(1000, 1'500'000)},
          {addr(2), account(1000, 1'600'000)},
          {addr(3), account(1000, 1'700'000)},
          {addr(4), account(1, 2'500)}};
}

}  // namespace

TEST_CASE("shocks and sweeps parse exactly, and bad ones say why", "[cascade]") {
  struct Ok {
    const char* text;
    const char* symbol;
    std::int32_t bp;
  };
  for (const auto& row : std::vector<Ok>{{"WETH -20%", "WETH", -2000},
                                         {"  WBTC   +12.5% ", "WBTC", 1250},
                                         {"DAI -0.01%", "DAI", -1},
                                         {"WETH -99.99%", "WETH", -9999},
                                         {"WETH +0%", "WETH", 0}}) {
    INFO(row.text);
    const auto s = sc::parse_shock(row.text);
    REQUIRE(s.has_value());
    CHECK(s->symbol == row.symbol);
    CHECK(s->basis_points == row.bp);
  }
  struct Bad {
    const char* text;
    sc::ShockErrorKind kind;
    const char* says;
  };
  for (const auto& row :
       std::vector<Bad>{{"WETH -120%", sc::ShockErrorKind::out_of_range, "100% or more"},
                        {"WETH -100%", sc::ShockErrorKind::out_of_range, "100% or more"},
                        {"WETH 20%", sc::ShockErrorKind::malformed, "needs a sign"},
                        {"WETH -20", sc::ShockErrorKind::malformed, "end with '%'"},
                        {"-20%", sc::ShockErrorKind::malformed, "expected an asset and a move"},
                        {"WETH -2x%", sc::ShockErrorKind::malformed, "unexpected 'x'"},
                        {"WETH -1.234%", sc::ShockErrorKind::malformed, "two decimals"},
                        {"WETH --5%", sc::ShockErrorKind::malformed, "a number is expected"},
                        {"", sc::ShockErrorKind::malformed, "expected an asset"}}) {
    INFO(row.text);
    const auto s = sc::parse_shock(row.text);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().kind == row.kind);
    CHECK_THAT(s.error().message, Catch::Contains(row.says));
  }

  const auto sweep = sc::parse_sweep("WETH -5%..-50%/5");
  REQUIRE(sweep.has_value());
  REQUIRE(sweep->size() == 10);
  CHECK(sweep->front().basis_points == -500);
  CHECK(sweep->back().basis_points == -5000);
  CHECK(sc::parse_sweep("WETH +10%..-10%/2.5")->size() == 9);
  CHECK(sc::parse_sweep("WETH -5%..-50%/0").error().message.find("above 0") != std::string::npos);
  CHECK(sc::parse_sweep("WETH -1%..-99%/0.01").error().kind == sc::ShockErrorKind::too_many_steps);
  CHECK(sc::parse_sweep("WETH -5%..-120%/5").error().kind == sc::ShockErrorKind::out_of_range);
  CHECK(sc::parse_sweep("WETH -5%").error().message.find("FROM..TO/STEP") != std::string::npos);

  // The price `keeper devnet price WETH -25%` writes: old × 7500 / 10000, rounded down.
  CHECK(sc::shocked_price(u256{2000'00000001ULL}, -2500) == u256{1500'00000000ULL});
  CHECK(sc::percent_text(-2500) == "-25%");
  CHECK(sc::percent_text(1250) == "+12.5%");
  CHECK(sc::percent_text(-1) == "-0.01%");
}

TEST_CASE("a liquidation leaves the account exactly as the Pool would", "[cascade]") {
  const auto m = market();
  auto c = positions().at(addr(3));
  aave::Market shocked = m;
  shocked.reserves[0].price = 1900'00000000ULL;
  const auto outcome = aave::liquidation_outcome(shocked, c, 0, 1, kU256Max, kNow).value();
  CHECK(outcome.close_factor == 10000);  // HF 0.92 < 0.95: the whole debt may be repaid
  const auto before_collateral = aave::a_token_balance(m.reserves[0], c.positions[0], kNow).value();
  REQUIRE(aave::apply_liquidation(shocked, c, 0, 1, outcome, kNow).has_value());
  CHECK(aave::a_token_balance(m.reserves[0], c.positions[0], kNow).value() ==
        before_collateral - outcome.collateral_to_liquidator - outcome.protocol_fee);
  CHECK(aave::variable_debt_balance(m.reserves[1], c.positions[1], kNow).value() ==
        u256{1'700'000} * aave::pow10(6) - outcome.debt_repaid);
  CHECK(c.config.borrowing(1) == (outcome.debt_repaid != u256{1'700'000} * aave::pow10(6)));

  // D's collateral cannot cover its debt: all of it is seized, the flag is cleared, debt stays.
  auto d = positions().at(addr(4));
  const auto all = aave::liquidation_outcome(shocked, d, 0, 1, kU256Max, kNow).value();
  CHECK(all.collateral_capped);
  REQUIRE(aave::apply_liquidation(shocked, d, 0, 1, all, kNow).has_value());
  CHECK(d.positions[0].scaled_a_token == 0);
  CHECK_FALSE(d.config.using_as_collateral(0));
  CHECK(d.config.borrowing(1));
  const auto data = aave::account_data(shocked, d, kNow).value();
  CHECK(data.total_collateral_base == 0);
  CHECK(data.total_debt_base != 0);
}

TEST_CASE("the cascade liquidates round by round as the depth curve moves the price", "[cascade]") {
  aave::CascadeLedger ledger{market(), positions(), 7, {}, {}};
  const auto original = positions();
  sc::DepthCurveExchange curve{ledger.assets(), u256{100'000'000}, {{0, 5.0}}};
  sc::Cascade cascade{ledger, {kNow, 20}};
  const auto r = cascade.run({"WETH", -500}, curve);
  REQUIRE(r.has_value());
  REQUIRE(r->rounds.size() >= 2);
  CHECK(r->settled);

  // Round 1 at WETH $1900: B (1.0), C and D are under 1; A (1.045) is not.
  const auto& one = r->rounds[0];
  CHECK(one.prices[0] == u256{1900'00000000ULL});
  std::set<Address> under;
  for (const auto& l : one.accounts) under.insert(l.account);
  CHECK(under == std::set<Address>{addr(2), addr(3), addr(4)});
  CHECK(one.liquidated == 3);
  aave::Market shocked = market();
  shocked.reserves[0].price = 1900'00000000ULL;
  u256 seized = 0;
  for (const auto& l : one.accounts) {
    INFO(l.account.checksummed());
    // What the Pool computes for the call's own arguments, to the wei; the call asks for the
    // most the Pool allows.
    const auto expected =
        aave::liquidation_outcome(shocked, original.at(l.account), 0, 1, l.debt_to_cover, kNow)
            .value();
    const auto most =
        aave::liquidation_outcome(shocked, original.at(l.account), 0, 1, kU256Max, kNow).value();
    CHECK(l.debt_to_cover == most.debt_repaid);
    CHECK(l.debt_repaid == expected.debt_repaid);
    CHECK(l.collateral_seized == expected.collateral_to_liquidator);
    CHECK(l.health_factor == expected.health_factor);
    seized += l.collateral_seized;
  }
  CHECK(one.collateral_seized[0] == seized);
  // The curve: 5% per $1M sold, compounded.
  const double sold_usd = to_double(seized) / 1e18 * 1900;
  CHECK(to_double(one.prices_after[0]) / 1e8 ==
        Approx(1900 * std::pow(0.95, sold_usd / 1e6)).epsilon(1e-9));
  CHECK(one.bad_debt_accounts == 1);  // D, whose collateral is gone
  // A sweep's run lists nobody but counts the same accounts and the same bad debt.
  sc::Cascade counting{ledger, {.timestamp = kNow, .max_rounds = 20, .list_accounts = false}};
  const auto counted = counting.run({"WETH", -500}, curve);
  REQUIRE(counted.has_value());
  REQUIRE(counted->rounds.size() == r->rounds.size());
  CHECK(counted->rounds[0].accounts.empty());
  CHECK(counted->rounds[0].under_one == 3);
  CHECK(counted->rounds[0].bad_debt_accounts == 1);
  CHECK(counted->rounds[0].bad_debt_base == one.bad_debt_base);
  CHECK(counted->rounds[0].bad_debt_base > 0);

  // The price fell under A's liquidation price ($1818): A falls in round 2.
  bool a_falls = false;
  for (const auto& l : r->rounds[1].accounts) a_falls |= l.account == addr(1);
  CHECK(a_falls);
  CHECK(r->rounds[1].prices == one.prices_after);

  // The ledger is back as it was, and the same run gives the same result.
  CHECK(ledger.changed().empty());
  const cascade::ReportContext context{7, kNow, ledger.assets(), u256{100'000'000}};
  const auto again = cascade.run({"WETH", -500}, curve);
  REQUIRE(again.has_value());
  CHECK(cascade::cascade_json(context, *again) == cascade::cascade_json(context, *r));

  const auto unknown = cascade.run({"XYZ", -500}, curve);
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().kind == sc::CascadeErrorKind::unknown_asset);
  CHECK_THAT(unknown.error().message, Catch::Contains("WETH, USDC"));
}

TEST_CASE("the pool price the exchange arbitrages to is the devnet's, to the unit", "[cascade]") {
  struct Row {
    std::uint64_t p0;
    unsigned d0;
    std::uint64_t p1;
    unsigned d1;
  };
  for (const auto& row : std::vector<Row>{{2000'00000000ULL, 18, 1'00000000ULL, 6},
                                          {1'00000000ULL, 6, 2000'00000000ULL, 18},
                                          {60000'00000000ULL, 8, 1'00000000ULL, 6},
                                          {1'00010000ULL, 18, 99990000ULL, 6},
                                          {1500'00000000ULL, 18, 60000'00000000ULL, 8}}) {
    const auto ours =
        cascade::oracle_sqrt_price_x96(u256{row.p0}, static_cast<std::uint8_t>(row.d0),
                                       u256{row.p1}, static_cast<std::uint8_t>(row.d1));
    const auto devnet =
        keeper::devnet::oracle_sqrt_price_x96({u256{row.p0}, static_cast<std::uint8_t>(row.d0)},
                                              {u256{row.p1}, static_cast<std::uint8_t>(row.d1)});
    REQUIRE(ours.has_value());
    REQUIRE(devnet.has_value());
    CHECK(*ours == *devnet);
  }
  CHECK_FALSE(cascade::oracle_sqrt_price_x96(0, 18, 1, 6).has_value());
}

TEST_CASE("the move that puts 10% of the debt under 1, per asset", "[cascade]") {
  // Ten accounts owing 100 USDC each, with WETH collateral worth (LT-weighted) 100 × HF at $2000:
  // HF 1.1, 1.2, ... 2.0. WETH falls: the first crosses at 1/1.1 - 1. USDC rises: at +10%.
  strategy::RiskBook book;
  for (int i = 0; i < 10; ++i) {
    const double hf = 1.1 + 0.1 * i;
    const std::vector<strategy::Weight> w{{0, false, hf * 100 / 2000}, {1, true, 100}};
    book.set(static_cast<strategy::AccountId>(i), w);
  }
  const std::vector<double> prices{2000, 1};
  struct Row {
    strategy::AssetId asset;
    double share;
    std::optional<double> fall;
    std::optional<double> rise;
  };
  for (const auto& row : std::vector<Row>{{0, 0.1, 1 / 1.1 - 1, std::nullopt},
                                          {0, 0.2, 1 / 1.2 - 1, std::nullopt},
                                          {0, 1.0, 1 / 2.0 - 1, std::nullopt},
                                          {1, 0.1, std::nullopt, 0.1},
                                          {1, 0.25, std::nullopt, 0.3}}) {
    INFO("asset " << row.asset << " share " << row.share);
    const auto m = sc::move_for_debt_share(book, row.asset, prices, row.share);
    CHECK(m.debt_total == Approx(1000));
    CHECK(m.fall.has_value() == row.fall.has_value());
    if (m.fall && row.fall) CHECK(*m.fall == Approx(*row.fall).epsilon(1e-12));
    CHECK(m.rise.has_value() == row.rise.has_value());
    if (m.rise && row.rise) CHECK(*m.rise == Approx(*row.rise).epsilon(1e-12));
  }
  // An account already under 1 with 10% of the debt: the move is 0.
  book.set(10, std::vector<strategy::Weight>{{0, false, 0.9 * 111.2 / 2000}, {1, true, 111.2}});
  const auto now = sc::move_for_debt_share(book, 0, prices, 0.1);
  CHECK(now.fall == 0.0);
  CHECK(now.debt_at_risk == Approx(111.2));
}

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

TEST_CASE("the daemon's cliff gauge is move_for_debt_share per asset and direction", "[cascade]") {
  strategy::RiskBook book;
  for (int i = 0; i < 10; ++i) {
    const double hf = 1.1 + 0.1 * i;
    const std::vector<strategy::Weight> w{{0, false, hf * 100 / 2000}, {1, true, 100}};
    book.set(static_cast<strategy::AccountId>(i), w);
  }
  const std::vector<double> prices{2000, 1};
  const auto samples = keeper::cascade_gauge_samples(book, prices, {"WETH", "USDC"}, 0.1);
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].labels == "asset=\"WETH\",share=\"0.1\",direction=\"fall\"");
  CHECK(samples[0].value == Approx(1 / 1.1 - 1).epsilon(1e-12));
  CHECK(samples[1].labels == "asset=\"USDC\",share=\"0.1\",direction=\"rise\"");
  CHECK(samples[1].value == Approx(0.1).epsilon(1e-12));
}

namespace {

// Accounts straddling a health factor of 1 at a given WETH price: WETH collateral alone or WETH
// and WBTC (whose average threshold the Pool floors to a basis point), USDC debt, sized so their
// approximate health (per-asset thresholds, doubles) is 1 + offset there.
aave::Account straddling(double weth_price, double collateral_usd, bool with_wbtc, double hf) {
  aave::Account a;
  const double weth_usd = with_wbtc ? collateral_usd * 0.6 : collateral_usd;
  const double wbtc_usd = with_wbtc ? collateral_usd * 0.4 : 0;
  const double debt_usd = (weth_usd * 0.825 + wbtc_usd * 0.78) / hf;
  a.config.data = 0b0110;
  a.positions.push_back(
      {0, u256{static_cast<std::uint64_t>(weth_usd / weth_price * 1e9)} * u256{1'000'000'000ULL}, 0,
       0, 0, 0});
  a.positions.push_back({1, 0, u256{static_cast<std::uint64_t>(debt_usd * 1e6)}, 0, 0, 0});
  if (with_wbtc) {
    a.config.data |= u256{1} << 5;
    a.positions.push_back(
        {2, u256{static_cast<std::uint64_t>(wbtc_usd / 60000 * 1e8)}, 0, 0, 0, 0});
  }
  return a;
}

aave::Market straddling_market() {
  auto m = market();
  m.reserves.push_back(reserve(2, "WBTC", 8, 60000'00000000ULL, 7800, 10650));
  return m;
}

}  // namespace

TEST_CASE("the filtered cascade is the one that evaluates every account exactly", "[cascade]") {
  // A table of WETH shocks; for each, accounts whose health at the shocked price is within
  // 2e-4 of 1 on either side; 600 far from it (1.5 .. 3 before the shock), one owing nothing
  // and one dust account.
  const std::vector<std::int32_t> shocks{-500, -1000, -2500};
  const std::vector<double> offsets{-1e-4, -3e-5, -1e-6, -1e-9, 0,    1e-9, 1e-6,
                                    1e-5,  3e-5,  6e-5,  9e-5,  1e-4, 2e-4};
  std::map<Address, aave::Account> positions;
  std::uint32_t n = 0;
  const auto next = [&] {
    Address who{};
    who.bytes[0] = 0xcc;
    for (std::size_t b = 0; b < 4; ++b) who.bytes[19 - b] = static_cast<std::uint8_t>(n >> (8 * b));
    ++n;
    return who;
  };
  for (const auto bp : shocks) {
    const double price = 2000.0 * (10000 + bp) / 10000;
    for (const double offset : offsets)
      for (const double usd : {5'003.0, 48'611.0, 731'229.0})
        for (const bool wbtc : {false, true})
          positions.emplace(next(), straddling(price, usd, wbtc, 1 + offset));
  }
  for (int i = 0; i < 600; ++i)
    positions.emplace(next(), straddling(2000, 1'000.0 + 97.0 * i, i % 2 == 0, 1.5 + i / 400.0));
  positions.emplace(next(), account(3, 0));  // owes nothing
  aave::Account dust;
  dust.config.data = 0b0110;
  dust.positions.push_back({0, u256{3}, 0, 0, 0, 0});
  dust.positions.push_back({1, 0, u256{1}, 0, 0, 0});
  positions.emplace(next(), dust);

  aave::CascadeLedger ledger{straddling_market(), positions, 7, {}, {}};
  const sc::DepthCurveExchange curve{ledger.assets(), u256{100'000'000}, {{0, 1.0}, {2, 1.0}}};
  sc::Cascade filtered{ledger, {kNow, 20}};
  sc::Cascade exact{ledger, {kNow, 20, true}};
  sc::Cascade totals_only{ledger, {.timestamp = kNow, .max_rounds = 20, .list_accounts = false}};
  const cascade::ReportContext context{7, kNow, ledger.assets(), u256{100'000'000}};
  std::size_t approx_above_exact_under = 0;
  for (const auto bp : shocks) {
    INFO("WETH " << bp << " bp");
    // The table straddles 1: exact health factors on both sides within 2e-4, and accounts whose
    // approximate health is 1 or more while the Pool's is under 1 (the average threshold's
    // floor), which a relative margin of 1e-6 on the approximation would miss.
    auto shocked = straddling_market();
    shocked.reserves[0].price = sc::shocked_price(shocked.reserves[0].price, bp);
    const std::vector<double> doubles{to_double(shocked.reserves[0].price), 1e8, 60000e8};
    std::size_t under = 0, above = 0;
    for (strategy::AccountId id = 0; id < ledger.account_count(); ++id) {
      const auto& a = positions.at(ledger.address(id));
      const auto hf = aave::account_data(shocked, a, kNow).value().health_factor;
      const double h = to_double(hf) / 1e18;
      under += hf < aave::kWad && h > 1 - 2e-4;
      above += hf >= aave::kWad && h < 1 + 2e-4;
      strategy::RiskBook book;
      book.set(0, ledger.rank_form(id, kNow).weights);
      approx_above_exact_under += hf < aave::kWad && book.health(0, doubles) >= 1.0;
    }
    CHECK(under >= 10);
    CHECK(above >= 10);

    const auto f = filtered.run({"WETH", bp}, curve);
    const auto e = exact.run({"WETH", bp}, curve);
    REQUIRE(f.has_value());
    REQUIRE(e.has_value());
    REQUIRE(!f->rounds.empty());
    // The same accounts, the same amounts, round after round, to the wei.
    CHECK(cascade::cascade_json(context, *f).dump() == cascade::cascade_json(context, *e).dump());
    CHECK(f->rounds.size() == e->rounds.size());
    // A sweep's run lists no account and gives the same rounds, totals and bad debt.
    const auto t = totals_only.run({"WETH", bp}, curve);
    REQUIRE(t.has_value());
    CHECK(cascade::sweep_json(context, {*t}).dump() == cascade::sweep_json(context, {*f}).dump());
    REQUIRE(t->rounds.size() == f->rounds.size());
    for (std::size_t i = 0; i < t->rounds.size(); ++i) {
      const auto& listed = f->rounds[i];
      const auto& counted = t->rounds[i];
      CHECK(counted.accounts.empty());
      CHECK(counted.under_one == listed.accounts.size());
      CHECK(listed.under_one == listed.accounts.size());
      CHECK(counted.liquidated == listed.liquidated);
      CHECK(counted.debt_repaid == listed.debt_repaid);
      CHECK(counted.collateral_seized == listed.collateral_seized);
      CHECK(counted.bonus_base == listed.bonus_base);
      CHECK(counted.prices_after == listed.prices_after);
      CHECK(counted.bad_debt_accounts == listed.bad_debt_accounts);
      CHECK(counted.bad_debt_base == listed.bad_debt_base);
    }
    // Round 1 names exactly the accounts the Pool's math puts under 1.
    std::set<Address> expected;
    for (const auto& [who, a] : positions)
      if (aave::account_data(shocked, a, kNow).value().health_factor < aave::kWad)
        expected.insert(who);
    std::set<Address> named;
    for (const auto& l : f->rounds[0].accounts) named.insert(l.account);
    CHECK(named == expected);
    CHECK(named.size() == f->rounds[0].accounts.size());
    CHECK(f->rounds[0].liquidated > 0);
    // Every round lists each account once, lowest health factor first, then by address.
    for (const auto& round : f->rounds) {
      std::set<Address> once;
      for (const auto& l : round.accounts) once.insert(l.account);
      CHECK(once.size() == round.accounts.size());
      CHECK(std::is_sorted(round.accounts.begin(), round.accounts.end(),
                           [](const sc::Liquidation& a, const sc::Liquidation& b) {
                             return a.health_factor != b.health_factor
                                        ? a.health_factor < b.health_factor
                                        : a.account < b.account;
                           }));
    }
    // And the filter spared most accounts the exact evaluation.
    CHECK(e->rounds[0].evaluated == ledger.account_count());
    CHECK(f->rounds[0].evaluated * 2 < e->rounds[0].evaluated);
  }
  CHECK(approx_above_exact_under > 0);
  CHECK(ledger.changed().empty());
}

TEST_CASE("the cascade plot is well-formed SVG with a price path per shock and bars per shock",
          "[cascade]") {
  // What `keeper cascade --plot FILE` writes, for --shock (one run) and --sweep (several), and
  // with an on-chain symbol that XML must escape.
  struct Row {
    const char* symbol;
    std::vector<std::int32_t> shocks;
  };
  for (const auto& row : std::vector<Row>{{"WETH", {-500}},
                                          {"WETH", {-500, -1000, -1500, -2000, -3000}},
                                          {"W&E<T>H\"", {-1000, -2000}}}) {
    INFO(row.symbol << " " << row.shocks.size() << " shocks");
    auto m = market();
    m.reserves[0].symbol = row.symbol;
    aave::CascadeLedger ledger{m, positions(), 7, {}, {}};
    const sc::DepthCurveExchange curve{ledger.assets(), u256{100'000'000}, {{0, 5.0}}};
    sc::Cascade cascade{ledger, {kNow, 20}};
    std::vector<sc::CascadeResult> runs;
    for (const auto bp : row.shocks) {
      auto r = cascade.run({row.symbol, bp}, curve);
      REQUIRE(r.has_value());
      runs.push_back(std::move(*r));
    }
    const cascade::ReportContext context{7, kNow, ledger.assets(), u256{100'000'000}};
    const auto path = std::filesystem::temp_directory_path() /
                      ("keeper-cascade-plot-" + std::to_string(::getpid()) + ".svg");
    {
      std::ofstream out(path, std::ios::trunc);
      out << cascade::sweep_svg(context, runs);
    }
    std::ifstream in(path);
    const std::string svg{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::filesystem::remove(path);
    const auto parsed = parse_xml(svg);
    INFO(svg.substr(0, 400));
    REQUIRE(parsed.has_value());
    const auto& elements = *parsed;
    CHECK(elements.front().first == "svg");
    CHECK_THAT(elements.front().second, Catch::Contains("xmlns=\"http://www.w3.org/2000/svg\""));
    // The price path: one polyline per shock, a point for the shock and one after each round.
    std::vector<std::size_t> points;
    for (const auto& [name, attrs] : elements)
      if (name == "polyline") {
        const auto at = attrs.find("points=\"");
        REQUIRE(at != std::string::npos);
        const auto end = attrs.find('"', at + 8);
        std::istringstream list(attrs.substr(at + 8, end - at - 8));
        std::size_t k = 0;
        std::string pair;
        while (list >> pair) {
          double x = 0, y = 0;
          CHECK(std::sscanf(pair.c_str(), "%lf,%lf", &x, &y) == 2);
          CHECK((x >= 0 && x <= 960 && y >= 0 && y <= 440));
          ++k;
        }
        points.push_back(k);
      }
    REQUIRE(points.size() == runs.size());
    for (std::size_t i = 0; i < runs.size(); ++i) CHECK(points[i] == runs[i].rounds.size() + 1);
    // Liquidations per shock: a collateral bar and a bad-debt bar each, beside the background
    // and the two legend swatches.
    CHECK(count_of(elements, "rect") == 2 * runs.size() + 3);
    CHECK_THAT(svg, Catch::Contains("price after each round&apos;s sales") ||
                        Catch::Contains("price after each round's sales"));
    CHECK_THAT(svg, Catch::Contains("liquidated collateral and bad debt"));
    CHECK_THAT(svg, Catch::Contains(">" + sc::percent_text(row.shocks.back()) + "<"));
  }

  // A long cascade (up to --rounds 1000): its price path is one polyline all the same.
  sc::CascadeResult long_run;
  long_run.shock = {"WETH", -4000};
  for (std::size_t k = 0; k < 300; ++k) {
    sc::Round r;
    r.prices = {u256{2000'00000000ULL - 100000000ULL * k}, u256{100'000'000}};
    r.prices_after = {u256{2000'00000000ULL - 100000000ULL * (k + 1)}, u256{100'000'000}};
    long_run.rounds.push_back(std::move(r));
  }
  const aave::CascadeLedger ledger{market(), positions(), 7, {}, {}};
  const cascade::ReportContext context{7, kNow, ledger.assets(), u256{100'000'000}};
  const auto svg = cascade::sweep_svg(context, {long_run});
  const auto parsed = parse_xml(svg);
  REQUIRE(parsed.has_value());
  CHECK(count_of(*parsed, "polyline") == 1);
  const auto at = svg.find("points=\"");
  REQUIRE(at != std::string::npos);
  std::istringstream list(svg.substr(at + 8, svg.find('"', at + 8) - at - 8));
  std::size_t k = 0;
  for (std::string pair; list >> pair;) ++k;
  CHECK(k == 301);
}
