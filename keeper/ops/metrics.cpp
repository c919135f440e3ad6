#include "keeper/ops/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace keeper::ops {
namespace {

// Health factor bounds an operator reads a cascade from: how many accounts sit just above 1.
constexpr std::array<double, 9> kHealthFactorBounds{1.0,  1.01, 1.02, 1.05, 1.1,
                                                    1.25, 1.5,  2.0,  5.0};

// 100 us .. 30 s: local evaluation is sub-millisecond, mining is seconds.
std::vector<double> stage_bounds() {
  // From 10 us: the path from a price to the wire is measured in microseconds.
  return {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
          0.025,   0.05,     0.1,     0.25,   0.5,     1.0,    2.5,   5.0,    10.0,  30.0};
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Shortest text that round-trips, without exponents (Prometheus reads both; people prefer this).
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  if (r.ec != std::errc{}) r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string label_value(const std::string& v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string{"# HELP "} + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void sample(std::string& out, const std::string& name, const std::string& labels, double v) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += " " + number(v) + "\n";
}

// A metric with one unlabelled sample.
void single(std::string& out, const char* name, const char* type, const char* help, double v) {
  header(out, name, type, help);
  sample(out, name, "", v);
}

// A metric with one sample per key of `values`, labelled `label`.
void by_label(std::string& out, const char* name, const char* help, const char* label,
              const std::map<std::string, std::uint64_t>& values) {
  header(out, name, "counter", help);
  for (const auto& [key, n] : values)
    sample(out, name, std::string{label} + "=\"" + label_value(key) + "\"", static_cast<double>(n));
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_{std::move(upper_bounds)}, buckets_(bounds_.size(), 0) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::observe(double value) {
  if (std::isnan(value)) return;
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  if (it != bounds_.end()) ++buckets_[static_cast<std::size_t>(it - bounds_.begin())];
  ++count_;
  sum_ += value;
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
  const std::string sep = labels.empty() ? "" : labels + ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += buckets_[i];
    sample(out, name + "_bucket", sep + "le=\"" + number(bounds_[i]) + "\"",
           static_cast<double>(cumulative));
  }
  sample(out, name + "_bucket", sep + "le=\"+Inf\"", static_cast<double>(count_));
  sample(out, name + "_sum", labels, sum_);
  sample(out, name + "_count", labels, static_cast<double>(count_));
}

Metrics::Metrics()
    : hf_at_most_(kHealthFactorBounds.size(), 0),
      stages_{Histogram{stage_bounds()}, Histogram{stage_bounds()}, Histogram{stage_bounds()},
              Histogram{stage_bounds()}, Histogram{stage_bounds()}, Histogram{stage_bounds()}},
      decided_to_written_{stage_bounds()} {}

void Metrics::set_accounts(std::size_t tracked, std::size_t with_debt, std::size_t in_watch_band) {
  auto& m = markets_[market_];
  m.tracked = tracked;
  m.with_debt = with_debt;
  m.in_band = in_watch_band;
  accounts_ = with_debt_ = in_band_ = 0;
  for (const auto& [name, each] : markets_) {
    accounts_ += each.tracked;
    with_debt_ += each.with_debt;
    in_band_ += each.in_band;
  }
}

void Metrics::set_health_factors(const std::vector<double>& health_factors) {
  auto& counts = markets_[market_].hf_at_most;
  counts.assign(kHealthFactorBounds.size(), 0);
  for (const double hf : health_factors)
    for (std::size_t i = 0; i < kHealthFactorBounds.size(); ++i)
      if (hf <= kHealthFactorBounds[i]) ++counts[i];
  std::fill(hf_at_most_.begin(), hf_at_most_.end(), 0);
  for (const auto& [name, each] : markets_)
    for (std::size_t i = 0; i < each.hf_at_most.size(); ++i) hf_at_most_[i] += each.hf_at_most[i];
}

void Metrics::head_processed(const HeadStatus& head) {
  head_ = head;
  have_head_ = true;
  ++heads_;
}

void Metrics::count_event(const std::string& kind, std::uint64_t n) { events_[kind] += n; }

void Metrics::count_transaction(const std::string& outcome, std::uint64_t n) {
  transactions_[outcome] += n;
}

void Metrics::observe_stage(Stage stage, std::chrono::nanoseconds elapsed) {
  stages_[static_cast<std::size_t>(stage)].observe(std::chrono::duration<double>(elapsed).count());
}

void Metrics::observe_decided_to_written(std::chrono::nanoseconds elapsed) {
  decided_to_written_.observe(std::chrono::duration<double>(elapsed).count());
}

void Metrics::set_series(const std::string& name, const char* type, const std::string& help,
                         const std::string& labels, double value) {
  auto& family = families_[name];
  family.type = type;
  family.help = help;
  family.samples[labels] = value;
}

void Metrics::declare_series(const std::string& name, const char* type, const std::string& help) {
  auto& family = families_[name];
  family.type = type;
  family.help = help;
}

std::string label(const std::string& name, const std::string& value) {
  return name + "=\"" + label_value(value) + "\"";
}

void Metrics::count_bundle(const std::string& builder, const std::string& outcome,
                           std::uint64_t n) {
  bundles_[{builder, outcome}] += n;
}

void Metrics::observe_bundle_latency(const std::string& builder, std::chrono::nanoseconds elapsed) {
  auto it = bundle_latency_.try_emplace(builder, stage_bounds()).first;
  it->second.observe(std::chrono::duration<double>(elapsed).count());
}

double Metrics::head_lag_seconds(std::chrono::system_clock::time_point now) const {
  if (!have_head_) return -1;
  const auto now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  return std::max(0.0, now_s - static_cast<double>(head_.block_timestamp));
}

std::string Metrics::render(std::chrono::system_clock::time_point now) const {
  std::string out;
  out.reserve(8192);
  single(out, "keeper_accounts_tracked", "gauge", "Accounts whose positions keeper holds.",
         static_cast<double>(accounts_));
  single(out, "keeper_accounts_with_debt", "gauge", "Tracked accounts that owe something.",
         static_cast<double>(with_debt_));
  single(out, "keeper_accounts_in_watch_band", "gauge",
         "Accounts with debt whose health factor is under strategy.hf_watch_band.",
         static_cast<double>(in_band_));
  header(out, "keeper_accounts_health_factor_at_most", "gauge",
         "Accounts with debt whose health factor is at most le, at the last head.");
  for (std::size_t i = 0; i < kHealthFactorBounds.size(); ++i)
    sample(out, "keeper_accounts_health_factor_at_most",
           "le=\"" + number(kHealthFactorBounds[i]) + "\"", static_cast<double>(hf_at_most_[i]));
  single(out, "keeper_head_block", "gauge", "Last block keeper evaluated.",
         static_cast<double>(head_.block));
  single(out, "keeper_head_lag_seconds", "gauge",
         "Wall clock minus the last evaluated block's timestamp (-1 before the first head).",
         head_lag_seconds(now));
  single(out, "keeper_heads_total", "counter", "Heads evaluated.", static_cast<double>(heads_));
  by_label(out, "keeper_events_total", "Events received, by kind.", "kind", events_);
  single(out, "keeper_opportunities_total", "counter",
         "Profitable liquidations the strategy chose.", static_cast<double>(opportunities_));
  by_label(out, "keeper_transactions_total", "Transactions, by outcome.", "outcome", transactions_);
  by_label(out, "keeper_skipped_total",
           "Liquidatable accounts keeper let go, by reason (each logged with it).", "reason",
           skipped_);
  single(out, "keeper_realised_profit_usd_total", "counter",
         "Collateral received minus debt repaid minus gas, in USD at the oracle's prices.",
         profit_usd_);
  header(out, "keeper_stage_latency_seconds", "histogram",
         "Time from the previous stage: event received -> evaluated -> decided -> signed -> "
         "written (on the node's socket) -> sent (the node answered) -> mined.");
  for (std::size_t i = 0; i < stages_.size(); ++i)
    stages_[i].render(out, "keeper_stage_latency_seconds",
                      std::string{"stage=\""} + kStageNames[i] + "\"");
  header(out, "keeper_decided_to_written_seconds", "histogram",
         "From the decision to each liquidation's bytes on the node's socket.");
  decided_to_written_.render(out, "keeper_decided_to_written_seconds", "");
  for (const auto& [name, family] : families_) {
    header(out, name.c_str(), family.type.c_str(), family.help.c_str());
    for (const auto& [labels, value] : family.samples) sample(out, name, labels, value);
  }

  header(out, "keeper_bundles_total", "counter",
         "eth_sendBundle requests per builder, by outcome (sent, accepted, error).");
  for (const auto& [key, n] : bundles_)
    sample(out, "keeper_bundles_total",
           "builder=\"" + label_value(key.first) + "\",outcome=\"" + label_value(key.second) + "\"",
           static_cast<double>(n));
  header(out, "keeper_bundle_request_seconds", "histogram",
         "From an eth_sendBundle request's write to the builder's answer, per builder.");
  for (const auto& [builder, histogram] : bundle_latency_)
    histogram.render(out, "keeper_bundle_request_seconds",
                     "builder=\"" + label_value(builder) + "\"");
  return out;
}

}  // namespace keeper::ops
