// A real Prometheus (Debian's) scrapes keeper running on the devnet through a WETH crash: the
// test starts it on 127.0.0.1 with a generated config (temporary folder, free port, keeper's
// alert rules loaded), queries its HTTP API and finds there the liquidations, latencies and
// balances keeper exported. The Grafana dashboard and the alert rules are checked against the
// series this live keeper exports: every name their queries use must be one of them.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "keeper/process/anvil.hpp"
#include "keeper/process/child_process.hpp"
#include "keeper/process/source_dir.hpp"
#include "tests/support/http_get.hpp"
#include "tests/support/live_devnet.hpp"

using keeper::testing::LiveDevnet;
using nlohmann::json;
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const fs::path kSource{::keeper::process::source_dir()};

std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs{path != nullptr ? path : "/usr/bin"};
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (::access((fs::path{dir} / name).c_str(), X_OK) == 0) return (fs::path{dir} / name).string();
  return {};
}

std::string url_encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Prometheus started by the test, stopped by its PID however the test ends.
class Prometheus {
 public:
  Prometheus(const fs::path& dir, std::uint16_t keeper_port) : dir_{dir} {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    port_ = keeper::pick_free_port().value();
    std::ofstream(dir_ / "prometheus.yml")
        << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        << "rule_files:\n  - " << (kSource / "config/examples/keeper.rules.yml").string() << "\n"
        << "scrape_configs:\n  - job_name: keeper\n    static_configs:\n"
        << "      - targets: ['127.0.0.1:" << keeper_port << "']\n";
    const std::string binary = find_on_path("prometheus");
    REQUIRE_FALSE(binary.empty());  // Debian's prometheus: scripts/setup.sh installs it
    auto child =
        keeper::ChildProcess::spawn({binary, "--config.file=" + (dir_ / "prometheus.yml").string(),
                                     "--storage.tsdb.path=" + (dir_ / "data").string(),
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
                                    dir_ / "prometheus.log");
    REQUIRE(child.has_value());
    process_ = std::move(*child);
    const auto deadline = std::chrono::steady_clock::now() + seconds{30};
    while (std::chrono::steady_clock::now() < deadline && get("/-/ready").empty())
      std::this_thread::sleep_for(milliseconds{200});
  }
  ~Prometheus() {
    process_.stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // The body of GET `path` (HTTP/1.0: no chunking), empty when there is no answer.
  [[nodiscard]] std::string get(const std::string& path) const {
    const auto reply = keeper::testing::http_exchange(
        port_, "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    const auto body = reply.find("\r\n\r\n");
    if (reply.find(" 200 ") == std::string::npos || body == std::string::npos) return {};
    return reply.substr(body + 4);
  }

  // An instant query's samples: labels (as JSON) and value.
  [[nodiscard]] std::vector<std::pair<json, double>> query(const std::string& promql) const {
    std::vector<std::pair<json, double>> out;
    const auto doc = json::parse(get("/api/v1/query?query=" + url_encode(promql)), nullptr, false);
    if (doc.is_discarded() || doc.value("status", "") != "success") return out;
    for (const auto& r : doc["data"]["result"])
      out.emplace_back(r["metric"], std::stod(r["value"][1].get<std::string>()));
    return out;
  }
  // The single value of `promql`, waiting (bounded) until it reaches `at_least`.
  double wait_for(const std::string& promql, double at_least, seconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    double value = -1;
    do {
      const auto samples = query(promql);
      if (samples.size() == 1) value = samples[0].second;
      if (value >= at_least) break;
      std::this_thread::sleep_for(milliseconds{250});
    } while (std::chrono::steady_clock::now() < deadline);
    return value;
  }
  [[nodiscard]] std::string log() const {
    std::ifstream in(dir_ / "prometheus.log");
    return {std::istreambuf_iterator<char>(in), {}};
  }

 private:
  fs::path dir_;
  std::uint16_t port_ = 0;
  keeper::ChildProcess process_;
};

// The metric names a /metrics text declares (# TYPE lines); histograms add their three series.
std::set<std::string> exported_names(const std::string& metrics) {
  std::set<std::string> names;
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# TYPE ", 0) != 0) continue;
    std::istringstream words(line.substr(7));
    std::string name, type;
    words >> name >> type;
    names.insert(name);
    if (type == "histogram")
      for (const char* suffix : {"_bucket", "_sum", "_count"}) names.insert(name + suffix);
  }
  return names;
}

// Every keeper_* name a PromQL text uses.
std::set<std::string> keeper_names_in(const std::string& promql) {
  std::set<std::string> names;
  static const std::regex name{"\\bkeeper_[a-zA-Z0-9_]+"};
  for (std::sregex_iterator it{promql.begin(), promql.end(), name}, end; it != end; ++it)
    names.insert(it->str());
  return names;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Every "expr" in the dashboard, however deep.
void collect_exprs(const json& node, std::vector<std::string>& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "expr" && value.is_string()) out.push_back(value.get<std::string>());
      collect_exprs(value, out);
    }
  } else if (node.is_array()) {
    for (const auto& v : node) collect_exprs(v, out);
  }
}

}  // namespace

TEST_CASE(
    "a real Prometheus scrapes keeper through a crash and finds liquidations, latencies and "
    "balances",
    "[e2e][prometheus]") {
  LiveDevnet net{"prometheus"};
  const auto keeper_port = keeper::pick_free_port().value();
  const auto keeper = net.start_keeper(net.config(), keeper_port);
  const Prometheus prometheus{
      fs::temp_directory_path() / ("keeper-prometheus-" + std::to_string(::getpid())), keeper_port};
  INFO(prometheus.log());
  REQUIRE(prometheus.wait_for("up{job=\"keeper\"}", 1, seconds{30}) == 1);

  const auto crash_started = std::chrono::steady_clock::now();
  const auto crash = net.move_price("WETH", "-25%");
  const auto targets = net.made_liquidatable_at(crash);
  REQUIRE(targets.size() == 46);
  const auto landed = net.wait_liquidated(targets, crash, seconds{60});
  REQUIRE(landed.size() >= targets.size());

  // The liquidations, as Prometheus scraped them.
  const double mined =
      prometheus.wait_for("keeper_transactions_total{outcome=\"mined\"}", 46, seconds{30});
  const auto seen_after =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - crash_started).count();
  CHECK(mined >= 46);
  CHECK(prometheus.wait_for("keeper_market_liquidations_total{winner=\"keeper\"}", 46,
                            seconds{30}) >= 46);
  CHECK(prometheus.wait_for("keeper_realised_profit_usd_total", 1, seconds{10}) > 0);
  // Latencies: every stage observed, and a p50 from the decision to the socket.
  for (const char* stage : {"evaluated", "decided", "signed", "written", "sent", "mined"}) {
    CAPTURE(stage);
    CHECK(prometheus.wait_for(
              std::string{"keeper_stage_latency_seconds_count{stage=\""} + stage + "\"}", 1,
              seconds{10}) >= 1);
  }
  const auto p50 = prometheus.query(
      "histogram_quantile(0.5, sum by (le) (keeper_decided_to_written_seconds_bucket))");
  REQUIRE(p50.size() == 1);
  CHECK(p50[0].second > 0);
  CHECK(p50[0].second < 0.05);
  // Balances: the wallet's gas and the tokens the liquidations paid with and received.
  CHECK(prometheus.wait_for("keeper_wallet_balance_eth", 1, seconds{10}) > 1);
  const auto tokens = prometheus.query("keeper_wallet_token_balance{market=\"devnet\"}");
  std::set<std::string> symbols;
  for (const auto& [labels, value] : tokens) symbols.insert(labels["token"].get<std::string>());
  CHECK(symbols == std::set<std::string>{"DAI", "USDC", "WBTC", "WETH"});
  CHECK(prometheus.wait_for("keeper_websocket_connected", 1, seconds{10}) == 1);
  CHECK(prometheus.wait_for("keeper_node_up", 1, seconds{10}) == 1);
  // keeper's alert rules are loaded, and none fires on a healthy keeper that just won a crash
  // (KeeperSpendCapNear aside: the devnet's cap is the default 0.5 ETH, far above this crash).
  const auto rules = json::parse(prometheus.get("/api/v1/rules"), nullptr, false);
  REQUIRE_FALSE(rules.is_discarded());
  std::size_t alert_rules = 0;
  for (const auto& group : rules["data"]["groups"])
    for (const auto& rule : group["rules"]) {
      ++alert_rules;
      CAPTURE(rule["name"]);
      CHECK(rule["state"] == "inactive");
    }
  CHECK(alert_rules == 11);
  WARN("Prometheus had all " << mined << " mined liquidations " << seen_after
                             << " s after the crash began; decided->written p50 "
                             << p50[0].second * 1e6 << " us");

  // The dashboard and the rules name only series this keeper exports.
  const auto metrics = keeper::testing::http_get(keeper_port, "/metrics");
  REQUIRE(metrics.status == 200);
  const auto exported = exported_names(metrics.body);
  const auto dashboard = json::parse(read_text(kSource / "config/examples/keeper.grafana.json"));
  std::vector<std::string> exprs;
  collect_exprs(dashboard, exprs);
  CHECK(exprs.size() >= 20);
  std::set<std::string> used =
      keeper_names_in(read_text(kSource / "config/examples/keeper.rules.yml"));
  for (const auto& e : exprs) used.merge(keeper_names_in(e));
  CHECK(used.size() >= 20);
  for (const auto& name : used) {
    CAPTURE(name);
    CHECK(exported.count(name) == 1);
  }
}
