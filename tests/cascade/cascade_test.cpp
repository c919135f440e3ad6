// The cascade what-if without a node: shock parsing, the exact liquidation of an in-memory Aave V3
// market round by round with a depth curve, the oracle-to-pool price the Uniswap exchange
// arbitrages to, and the filtered cascade against the exact one.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "cascade/report.hpp"
#include "cascade/uniswap_exchange.hpp"
#include "keeper/devnet/uniswap_pool_math.hpp"
#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/cascade_ledger.hpp"
#include "protocols/aave_v3/liquidation.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"
#include "strategy/cascade/depth_curve.hpp"
#include "strategy/cascade/shock.hpp"
#include "strategy/cascade/simulation.hpp"
#include "tests/cascade/cascade_fixture.hpp"

using namespace chain;
using keeper::testing::cascade_fixture::account;
using keeper::testing::cascade_fixture::addr;
using keeper::testing::cascade_fixture::kNow;
using keeper::testing::cascade_fixture::market;
using keeper::testing::cascade_fixture::positions;
using keeper::testing::cascade_fixture::reserve;
namespace aave = protocols::aave_v3;
namespace sc = strategy::cascade;

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

// WETH, USDC and WBTC, then `unused` reserves no account holds (a wider market).
aave::Market straddling_market(std::size_t unused = 0) {
  auto m = market();
  m.reserves.push_back(reserve(2, "WBTC", 8, 60000'00000000ULL, 7800, 10650));
  for (std::size_t i = 0; i < unused; ++i) {
    const auto id = static_cast<std::uint16_t>(m.reserves.size());
    m.reserves.push_back(reserve(id, "LINK", 18, 15'00000000ULL, 7000, 10700));
    m.reserves.back().symbol += std::to_string(id);
  }
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

  // The filter reads dense rows of bounds in a market of up to 8 assets, sparse terms above.
  for (const std::size_t unused : {std::size_t{0}, std::size_t{7}}) {
    INFO(3 + unused << " assets");
    aave::CascadeLedger ledger{straddling_market(unused), positions, 7, {}, {}};
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
      auto shocked = straddling_market(unused);
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
}
