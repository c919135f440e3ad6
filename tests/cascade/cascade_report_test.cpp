// What the cascade what-if reports without a node: the move that puts a share of the debt under 1,
// the daemon's cliff gauge built on it, and the SVG plot of a shock or a sweep.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "cascade/report.hpp"
#include "cascade/svg_plot.hpp"
#include "keeper/commands/cascade_gauge_wiring.hpp"
#include "protocols/aave_v3/cascade_ledger.hpp"
#include "strategy/cascade/debt_at_risk.hpp"
#include "strategy/cascade/depth_curve.hpp"
#include "strategy/cascade/shock.hpp"
#include "strategy/cascade/simulation.hpp"
#include "tests/cascade/cascade_fixture.hpp"
#include "tests/cascade/xml_check.hpp"

using namespace chain;
using keeper::testing::count_of;
using keeper::testing::parse_xml;
using keeper::testing::cascade_fixture::kNow;
using keeper::testing::cascade_fixture::market;
using keeper::testing::cascade_fixture::positions;
namespace aave = protocols::aave_v3;
namespace sc = strategy::cascade;

namespace {

// Ten accounts owing 100 USDC each, with WETH collateral worth (LT-weighted) 100 × HF at $2000:
// HF 1.1, 1.2, ... 2.0.
strategy::RiskBook ten_accounts() {
  strategy::RiskBook book;
  for (int i = 0; i < 10; ++i) {
    const double hf = 1.1 + 0.1 * i;
    const std::vector<strategy::Weight> w{{0, false, hf * 100 / 2000}, {1, true, 100}};
    book.set(static_cast<strategy::AccountId>(i), w);
  }
  return book;
}

}  // namespace

TEST_CASE("the move that puts 10% of the debt under 1, per asset", "[cascade]") {
  // WETH falls: the first account crosses at 1/1.1 - 1. USDC rises: at +10%.
  strategy::RiskBook book = ten_accounts();
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

TEST_CASE("the daemon's cliff gauge is move_for_debt_share per asset and direction", "[cascade]") {
  const strategy::RiskBook book = ten_accounts();
  const std::vector<double> prices{2000, 1};
  const auto samples = keeper::cascade_gauge_samples(book, prices, {"WETH", "USDC"}, 0.1);
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].labels == "asset=\"WETH\",share=\"0.1\",direction=\"fall\"");
  CHECK(samples[0].value == Approx(1 / 1.1 - 1).epsilon(1e-12));
  CHECK(samples[1].labels == "asset=\"USDC\",share=\"0.1\",direction=\"rise\"");
  CHECK(samples[1].value == Approx(0.1).epsilon(1e-12));
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
