// Several markets' engines report to one Metrics: the account gauges and the health-factor
// distribution are each market's latest report, added up (one market's head must not erase
// another's accounts).
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "keeper/ops/metrics.hpp"

using keeper::ops::Metrics;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("account gauges add up over markets, each market's latest report counting",
          "[metrics][markets]") {
  Metrics m;
  const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1'000'000}};
  struct Row {
    const char* market;
    std::size_t tracked, with_debt, in_band;
    std::vector<double> hf;
    std::string tracked_line, band_line, hf_line;
  };
  const std::vector<Row> rows{
      {"devnet",
       200,
       150,
       12,
       {0.8, 0.99, 1.2},
       "keeper_accounts_tracked 200",
       "keeper_accounts_in_watch_band 12",
       "keeper_accounts_health_factor_at_most{le=\"1\"} 2"},
      {"devnet-morpho",
       30,
       24,
       3,
       {0.95, 2.0},
       "keeper_accounts_tracked 230",
       "keeper_accounts_in_watch_band 15",
       "keeper_accounts_health_factor_at_most{le=\"1\"} 3"},
      // The Aave market's next head replaces its own report only.
      {"devnet",
       201,
       151,
       1,
       {1.2},
       "keeper_accounts_tracked 231",
       "keeper_accounts_in_watch_band 4",
       "keeper_accounts_health_factor_at_most{le=\"1\"} 1"},
  };
  for (const auto& r : rows) {
    INFO(r.market << " " << r.tracked);
    m.set_market(r.market);
    m.set_accounts(r.tracked, r.with_debt, r.in_band);
    m.set_health_factors(r.hf);
    const auto text = m.render(now);
    CHECK(has_line(text, r.tracked_line));
    CHECK(has_line(text, r.band_line));
    CHECK(has_line(text, r.hf_line));
  }
}
