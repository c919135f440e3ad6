// keeper scan and keeper run against a node that lies (tests/support/hostile_node): numbers too
// big for any integer, hex of the wrong length, HTTP 200 carrying an error, bodies cut short,
// endless or far too large. Each command ends with a clear error (scan) or rides it out (run), in
// bounded time and memory, and never crashes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "keeper/process/anvil.hpp"
#include "tests/support/hostile_node.hpp"
#include "tests/support/live_devnet.hpp"
#include "tests/support/run_command.hpp"

using keeper::testing::HostileNode;
using keeper::testing::Hostility;
using keeper::testing::LiveDevnet;

namespace {

// The devnet's config with its HTTP node replaced, its socket unreachable and short timeouts.
std::string config_for(LiveDevnet& net, const std::string& http_url, const std::string& name) {
  std::ifstream in(net.config());
  std::string text{std::istreambuf_iterator<char>(in), {}};
  const auto swap = [&](const std::string& line, const std::string& with) {
    const auto at = text.find(line);
    REQUIRE(at != std::string::npos);
    text.replace(at, line.size(), with);
  };
  swap("http_url = \"" + net.deployment().http_url + "\"",
       "http_url = \"" + http_url + "\"\nrequest_timeout_ms = 2000\nhead_poll_ms = 300");
  swap("ws_url = \"" + net.deployment().ws_url + "\"",
       "ws_url = \"ws://127.0.0.1:" + std::to_string(keeper::pick_free_port().value()) + "\"");
  const auto path = net.dir() / (name + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

struct Outcome {
  int exit_code = -1;
  std::string output;
  long max_rss_kb = -1;
};

// Under GNU time (peak RSS) and a 120 s limit.
Outcome run_bounded(const std::string& args) {
  const auto r = keeper::testing::run_command("/usr/bin/time -f 'max_rss_kb=%M' timeout 120 " +
                                              keeper::testing::keeper_command(args));
  Outcome o{r.exit_code, r.output, -1};
  std::smatch m;
  if (std::regex_search(o.output, m, std::regex{"max_rss_kb=([0-9]+)"}))
    o.max_rss_kb = std::stol(m[1]);
  return o;
}

void check_no_crash(const Outcome& o) {
  CHECK(o.exit_code != 124);  // timeout killed it
  CHECK(o.exit_code < 124);   // a signal (the shell reports 128 + n)
  CHECK(o.output.find("terminate called") == std::string::npos);
  CHECK(o.output.find("Command terminated by signal") == std::string::npos);
  CHECK(o.max_rss_kb > 0);
  CHECK(o.max_rss_kb < 400 * 1024);  // the transport keeps at most 64 MiB of an answer
}

}  // namespace

TEST_CASE("keeper scan against a lying node ends with a clear error, never a crash",
          "[e2e][faults][hostile]") {
  LiveDevnet net{"hostile-scan"};
  // `says`: what the error must name (any one of them): the lie itself, not a made-up table. An
  // endless or oversized body ends on whichever limit it reaches first here, the 64 MiB cap on an
  // answer or the 2 s request timeout (the 100 MB body takes longer than that to arrive).
  struct Row {
    const char* method;
    Hostility hostility;
    std::vector<std::string> says;
  };
  const Row rows[] = {
      {"eth_chainId", Hostility::huge_numbers, {"chainId: number does not fit in 256 bits"}},
      // 0x7a69 cut to 0x7a6: another chain, refused as one.
      {"eth_chainId", Hostility::wrong_length, {"the node is on chain 1958"}},
      {"eth_blockNumber",
       Hostility::huge_numbers,
       {"blockNumber: number does not fit in 256 bits"}},
      {"eth_blockNumber", Hostility::error_in_200, {"header not found"}},
      {"eth_getBlockByNumber", Hostility::huge_numbers, {"number does not fit in 256 bits"}},
      {"eth_getBlockByNumber", Hostility::wrong_length, {"odd number of digits"}},
      {"eth_call", Hostility::huge_numbers, {"malformed data"}},
      {"eth_call", Hostility::wrong_length, {"odd number of digits"}},
      {"eth_call", Hostility::error_in_200, {"header not found"}},
      {"eth_call", Hostility::truncated, {"transport failure"}},
      {"eth_call", Hostility::endless, {"response exceeds 67108864 bytes", "timed out"}},
      {"eth_call", Hostility::oversized, {"response exceeds 67108864 bytes", "timed out"}},
      {"eth_getLogs", Hostility::huge_numbers, {"malformed response"}},
      {"eth_getLogs", Hostility::wrong_length, {"malformed response"}},
      {"eth_getLogs", Hostility::truncated, {"transport failure"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.method, keeper::testing::to_string(row.hostility));
    HostileNode node{net.deployment().http_url, row.method, row.hostility};
    const auto config = config_for(net, node.url(), "hostile");
    const auto o = run_bounded("scan --json --config " + config);
    INFO(o.output.substr(0, 4000));
    CHECK(node.spoiled() > 0);
    check_no_crash(o);
    // Lied to on every call of a method it needs: it must say so, not print a made-up table.
    CHECK(o.exit_code == 1);
    CHECK(o.output.rfind("keeper scan: ", 0) == 0);
    CHECK(o.output.find("health_factor") == std::string::npos);
    bool named = false;
    for (const auto& s : row.says) named = named || o.output.find(s) != std::string::npos;
    CHECK(named);
  }
}

TEST_CASE("keeper run rides out a node that lies on every other answer", "[e2e][faults][hostile]") {
  LiveDevnet net{"hostile-run"};
  struct Row {
    const char* method;
    Hostility hostility;
  };
  const Row rows[] = {
      {"eth_getBlockByNumber", Hostility::huge_numbers},
      {"eth_getBlockByNumber", Hostility::truncated},
      {"eth_call", Hostility::huge_numbers},
      {"eth_call", Hostility::wrong_length},
      {"eth_getLogs", Hostility::error_in_200},
  };
  for (const auto& row : rows) {
    CAPTURE(row.method, keeper::testing::to_string(row.hostility));
    // Start-up (the backfill, both markets' sync) is answered honestly: a lie there is scan's
    // case above, and `run` refuses to start on it. The node turns hostile once keeper follows
    // heads, and then lies on every other answer to the method, so a retry at the next head can
    // succeed. (Counting calls instead would be fragile: how many start-up makes depends on the
    // snapshot the previous row left.)
    HostileNode node{net.deployment().http_url, row.method, row.hostility, 1, true};
    node.arm(false);
    const auto config = config_for(net, node.url(), "hostile-run");
    const auto log = net.dir() / "hostile-run.log";
    const auto usage = net.dir() / "hostile-run.time";
    std::filesystem::remove(log);
    std::filesystem::remove(usage);
    auto running = std::async(std::launch::async, [&] {
      return keeper::testing::run_command(
          "/usr/bin/time -f 'max_rss_kb=%M' -o " + usage.string() + " timeout 120 " +
          keeper::testing::keeper_command("run --dry-run --max-blocks 6 --log-format json "
                                          "--config " +
                                          config) +
          " > " + log.string() + " 2>&1");
    });
    // Armed at the first head keeper follows (its first state event).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{90};
    bool following = false;
    while (!following && std::chrono::steady_clock::now() < deadline &&
           running.wait_for(std::chrono::milliseconds{100}) != std::future_status::ready)
      following = read_text(log).find("\"event\":\"feeds\"") != std::string::npos;
    node.arm(true);
    const auto r = running.get();
    Outcome o{r.exit_code, read_text(log) + read_text(usage), -1};
    std::smatch m;
    if (std::regex_search(o.output, m, std::regex{"max_rss_kb=([0-9]+)"}))
      o.max_rss_kb = std::stol(m[1]);
    INFO(o.output.substr(o.output.size() > 6000 ? o.output.size() - 6000 : 0));
    CHECK(following);
    check_no_crash(o);
    CHECK(o.exit_code == 0);
    CHECK(node.spoiled() > 0);
    // Every head it was given is counted, and it went on past the lies to the last one.
    CHECK(o.output.find("\"reason\":\"max_blocks\"") != std::string::npos);
    CHECK(o.output.find("\"heads\":6") != std::string::npos);
  }
}
