#pragma once
// The daemon's metrics in Prometheus' text exposition format (version 0.0.4). A fixed, typed set:
// the daemon is single-threaded, so plain integers suffice and a scrape is a consistent snapshot.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace keeper::ops {

// Cumulative histogram with fixed upper bounds (the +Inf bucket is implicit).
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value);
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] double sum() const noexcept { return sum_; }
  // Appends `name_bucket{labels,le=..}`, `name_sum` and `name_count` lines.
  void render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> buckets_;  // per bound, not cumulative
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

// Stages of one liquidation from the head that revealed it to the block that mined it; each
// histogram holds the time from the previous stage.
// written: the bytes reached the node's socket; sent: the node answered.
enum class Stage : std::uint8_t { evaluated, decided, signed_tx, written, sent, mined };
inline constexpr std::array<const char*, 6> kStageNames{"evaluated", "decided", "signed",
                                                        "written",   "sent",    "mined"};

struct HeadStatus {
  std::uint64_t block = 0;
  std::uint64_t block_timestamp = 0;  // seconds since the epoch, as the block says
};

class Metrics {
 public:
  Metrics();

  // Several markets' engines in one daemon: the one about to report. Account gauges and the
  // health-factor distribution are each market's latest, added up.
  void set_market(const std::string& market) { market_ = market; }
  void set_accounts(std::size_t tracked, std::size_t with_debt, std::size_t in_watch_band);
  void set_health_factors(const std::vector<double>& health_factors);
  void head_processed(const HeadStatus& head);
  void count_event(const std::string& kind, std::uint64_t n = 1);
  void count_opportunity(std::uint64_t n = 1) { opportunities_ += n; }
  void count_transaction(const std::string& outcome, std::uint64_t n = 1);
  // A liquidatable account let go, by reason (unprofitable, outbid, duplicate, ...).
  void count_skip(const std::string& reason, std::uint64_t n = 1) { skipped_[reason] += n; }
  void add_profit_usd(double usd) { profit_usd_ += usd; }
  void observe_stage(Stage stage, std::chrono::nanoseconds elapsed);
  // From the strategy's decision to each liquidation's bytes on the node's socket: the span keeper
  // controls end to end, which the per-stage histograms cannot add up per transaction.
  void observe_decided_to_written(std::chrono::nanoseconds elapsed);
  // Bundles per builder (its host[:port]) by outcome: sent, accepted, error; and each request's
  // time from write to the builder's answer.
  void count_bundle(const std::string& builder, const std::string& outcome, std::uint64_t n = 1);
  void observe_bundle_latency(const std::string& builder, std::chrono::nanoseconds elapsed);

  // A series kept up to date by an updater outside the engine (balances, spend, competition:
  // keeper/ops/money_gauges.hpp). `labels` is the rendered label set ("market=\"x\"", or empty);
  // `type` is "gauge" or "counter". Rendered after the engine's series, in name order.
  void set_series(const std::string& name, const char* type, const std::string& help,
                  const std::string& labels, double value);
  // A family rendered (HELP and TYPE) before its first sample, so dashboards and alert rules
  // find the name from the start (competitors' liquidations before any competitor).
  void declare_series(const std::string& name, const char* type, const std::string& help);

  // Seconds between now and the last processed head's timestamp; negative when none yet.
  [[nodiscard]] double head_lag_seconds(std::chrono::system_clock::time_point now) const;
  [[nodiscard]] std::string render(std::chrono::system_clock::time_point now) const;

 private:
  std::size_t accounts_ = 0, with_debt_ = 0, in_band_ = 0;
  // A distribution at the last head (not cumulative over time): rendered as gauges with `le`.
  std::vector<std::uint64_t> hf_at_most_;
  HeadStatus head_;
  bool have_head_ = false;
  std::uint64_t heads_ = 0;
  std::map<std::string, std::uint64_t> events_;
  std::uint64_t opportunities_ = 0;
  std::map<std::string, std::uint64_t> transactions_;
  std::map<std::string, std::uint64_t> skipped_;
  double profit_usd_ = 0;
  struct MarketAccounts {
    std::size_t tracked = 0, with_debt = 0, in_band = 0;
    std::vector<std::uint64_t> hf_at_most;
  };
  std::string market_;                             // see set_market
  std::map<std::string, MarketAccounts> markets_;  // by market
  std::array<Histogram, kStageNames.size()> stages_;
  Histogram decided_to_written_;
  struct Family {
    std::string type;
    std::string help;
    std::map<std::string, double> samples;  // rendered labels -> value
  };
  std::map<std::string, Family> families_;

  std::map<std::pair<std::string, std::string>, std::uint64_t> bundles_;  // (builder, outcome)
  std::map<std::string, Histogram> bundle_latency_;
};

// `name="value"` with the value escaped as the exposition format requires.
[[nodiscard]] std::string label(const std::string& name, const std::string& value);

}  // namespace keeper::ops
