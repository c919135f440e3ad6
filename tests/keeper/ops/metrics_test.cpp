#include <catch2/catch.hpp>

#include "keeper/ops/metrics.hpp"
#include "keeper/ops/status_routes.hpp"

using keeper::ops::Histogram;
using keeper::ops::Metrics;
using keeper::ops::Stage;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

}  // namespace

TEST_CASE("histogram buckets are cumulative with +Inf, sum and count", "[metrics]") {
  Histogram h{{0.5, 0.1, 1.0}};  // unsorted on purpose
  for (const double v : {0.05, 0.1, 0.3, 0.7, 2.0, 5.0}) h.observe(v);
  std::string out;
  h.render(out, "x", "stage=\"a\"");
  const std::vector<std::string> expected{
      "x_bucket{stage=\"a\",le=\"0.1\"} 2",  // 0.1 is inside its own bucket (le = less or equal)
      "x_bucket{stage=\"a\",le=\"0.5\"} 3",
      "x_bucket{stage=\"a\",le=\"1\"} 4",
      "x_bucket{stage=\"a\",le=\"+Inf\"} 6",
      "x_sum{stage=\"a\"} 8.15",
      "x_count{stage=\"a\"} 6"};
  for (const auto& line : expected) {
    CAPTURE(line, out);
    CHECK(has_line(out, line));
  }
  h.observe(std::nan(""));
  CHECK(h.count() == 6);
}

TEST_CASE("metrics render in Prometheus text format", "[metrics]") {
  Metrics m;
  const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1'000'100}};
  CHECK(m.head_lag_seconds(now) < 0);
  m.set_accounts(200, 150, 12);
  m.set_health_factors({0.8, 0.99, 1.0, 1.03, 1.2, 3.0, 7.0});
  m.head_processed({42, 1'000'090});
  m.count_event("head", 3);
  m.count_event("gap");
  m.count_opportunity(2);
  m.count_transaction("mined", 5);
  m.count_transaction("reverted");
  m.add_profit_usd(1234.5);
  m.observe_stage(Stage::evaluated, std::chrono::microseconds{300});
  m.observe_stage(Stage::mined, std::chrono::seconds{2});
  CHECK(m.head_lag_seconds(now) == 10.0);
  const auto text = m.render(now);
  const std::vector<std::string> expected{
      "# TYPE keeper_accounts_tracked gauge",
      "keeper_accounts_tracked 200",
      "keeper_accounts_with_debt 150",
      "keeper_accounts_in_watch_band 12",
      "keeper_accounts_health_factor_at_most{le=\"1\"} 3",
      "keeper_accounts_health_factor_at_most{le=\"1.05\"} 4",
      "keeper_accounts_health_factor_at_most{le=\"1.25\"} 5",
      "keeper_accounts_health_factor_at_most{le=\"5\"} 6",
      "keeper_head_block 42",
      "keeper_head_lag_seconds 10",
      "keeper_events_total{kind=\"gap\"} 1",
      "keeper_events_total{kind=\"head\"} 3",
      "keeper_opportunities_total 2",
      "keeper_transactions_total{outcome=\"mined\"} 5",
      "keeper_transactions_total{outcome=\"reverted\"} 1",
      "keeper_realised_profit_usd_total 1234.5",
      "# TYPE keeper_stage_latency_seconds histogram",
      "keeper_stage_latency_seconds_bucket{stage=\"evaluated\",le=\"0.00025\"} 0",
      "keeper_stage_latency_seconds_bucket{stage=\"evaluated\",le=\"0.0005\"} 1",
      "keeper_stage_latency_seconds_count{stage=\"evaluated\"} 1",
      "keeper_stage_latency_seconds_bucket{stage=\"mined\",le=\"1\"} 0",
      "keeper_stage_latency_seconds_bucket{stage=\"mined\",le=\"2.5\"} 1",
      "keeper_stage_latency_seconds_count{stage=\"decided\"} 0",
  };
  for (const auto& line : expected) {
    CAPTURE(line);
    CHECK(has_line(text, line));
  }
  // The next head's distribution replaces the last one instead of adding to it.
  m.set_health_factors({2.0});
  CHECK(has_line(m.render(now), "keeper_accounts_health_factor_at_most{le=\"1\"} 0"));
  CHECK(has_line(m.render(now), "keeper_accounts_health_factor_at_most{le=\"2\"} 1"));
}

TEST_CASE("metric label values are escaped", "[metrics]") {
  Metrics m;
  m.count_event("a\"b\\c\nd");
  CHECK(has_line(m.render(std::chrono::system_clock::now()),
                 "keeper_events_total{kind=\"a\\\"b\\\\c\\nd\"} 1"));
}

TEST_CASE("/healthz follows the head lag; /metrics and unknown paths", "[metrics][http]") {
  using keeper::ops::status_route;
  const auto at = [](std::int64_t s) {
    return std::chrono::system_clock::time_point{std::chrono::seconds{s}};
  };
  Metrics m;
  struct Row {
    const char* name;
    std::string target;
    std::int64_t now;
    unsigned status;
    const char* body_starts;
  };
  // Before any head: unhealthy. Then the head at t=1000 is checked at several wall clocks.
  auto before = status_route("/healthz", m, 30, at(1000));
  CHECK(before.status == 503);
  CHECK(before.body == "unhealthy: no head evaluated yet\n");
  m.head_processed({7, 1000});
  const std::vector<Row> rows{
      {"fresh", "/healthz", 1010, 200, "ok: head lag 10.0 s (limit 30.0 s)"},
      {"at the limit", "/healthz", 1030, 200, "ok: head lag 30.0 s"},
      {"too old", "/healthz", 1031, 503, "unhealthy: head lag 31.0 s"},
      {"query ignored", "/healthz?verbose=1", 1010, 200, "ok"},
      {"metrics", "/metrics", 1010, 200, "# HELP keeper_accounts_tracked"},
      {"unknown", "/", 1010, 404, "not found"},
      {"prefix is not a route", "/metricsx", 1010, 404, "not found"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto r = status_route(row.target, m, 30, at(row.now));
    CHECK(r.status == row.status);
    CHECK(r.body.rfind(row.body_starts, 0) == 0);
  }
}

TEST_CASE("series set by an updater render once per name, labels escaped, last value kept",
          "[metrics]") {
  Metrics m;
  const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1'000'100}};
  using keeper::ops::label;
  m.set_series("keeper_wallet_token_balance", "gauge", "Balances.",
               label("market", "devnet") + "," + label("token", "USDC"), 1500.25);
  m.set_series("keeper_wallet_token_balance", "gauge", "Balances.",
               label("market", "devnet") + "," + label("token", "WETH"), 2);
  m.set_series("keeper_wallet_token_balance", "gauge", "Balances.",
               label("market", "devnet") + "," + label("token", "USDC"), 1400);
  m.set_series("keeper_node_up", "gauge", "Up.", "", 1);
  m.set_series("keeper_competitor_liquidations_total", "counter", "Others.",
               label("liquidator", "a\"b\\c\nd"), 3);
  const auto out = m.render(now);
  const std::vector<std::string> expected{
      "# TYPE keeper_wallet_token_balance gauge",
      "keeper_wallet_token_balance{market=\"devnet\",token=\"USDC\"} 1400",
      "keeper_wallet_token_balance{market=\"devnet\",token=\"WETH\"} 2",
      "# TYPE keeper_node_up gauge",
      "keeper_node_up 1",
      "# TYPE keeper_competitor_liquidations_total counter",
      "keeper_competitor_liquidations_total{liquidator=\"a\\\"b\\\\c\\nd\"} 3"};
  for (const auto& line : expected) {
    CAPTURE(line, out);
    CHECK(has_line(out, line));
  }
  // One HELP/TYPE pair per family, however many times it was set.
  std::size_t types = 0;
  for (auto at = out.find("# TYPE keeper_wallet_token_balance "); at != std::string::npos;
       at = out.find("# TYPE keeper_wallet_token_balance ", at + 1))
    ++types;
  CHECK(types == 1);
  CHECK(out.find("1500.25") == std::string::npos);
}

TEST_CASE("a declared series is named before its first sample", "[metrics]") {
  Metrics m;
  m.declare_series("keeper_competitor_liquidations_total", "counter", "Others.");
  const auto out = m.render(std::chrono::system_clock::time_point{});
  CHECK(has_line(out, "# TYPE keeper_competitor_liquidations_total counter"));
  CHECK(out.find("keeper_competitor_liquidations_total{") == std::string::npos);
}
