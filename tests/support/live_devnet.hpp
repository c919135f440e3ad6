#pragma once
// A fresh `keeper devnet up` (200 borrowers, one-second blocks) per test case, with keeper run
// in the background, the chain's own record of what was liquidated and by whom, and the
// helpers end-to-end tests share. Stopped and removed however the test ends.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/process/anvil.hpp"
#include "tests/support/background_keeper.hpp"
#include "tests/support/build_paths.hpp"
#include "tests/support/chain_fixture.hpp"
#include "tests/support/devnet_guard.hpp"
#include "tests/support/http_get.hpp"
#include "tests/support/run_command.hpp"

namespace keeper::testing {

namespace live_devnet_detail {
using namespace chain;
using nlohmann::json;
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

inline const u256 kOne{1'000'000'000'000'000'000ULL};

// Running and past its first head: /healthz says ok.
inline bool healthy(std::uint16_t port, seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (keeper::testing::http_get(port, "/healthz").status == 200) return true;
    std::this_thread::sleep_for(milliseconds{100});
  }
  return false;
}

// A fresh devnet per test case, stopped and removed however the test ends.
class LiveDevnet {
 public:
  explicit LiveDevnet(const std::string& name)
      : dir_{fs::temp_directory_path() / ("keeper-e2e-" + name + "-" + std::to_string(::getpid()))},
        guard_{dir_} {
    fs::remove_all(dir_);
    const auto up = run_command(keeper_command(
        "devnet up --borrowers 200 --seed 1 --block-time 1 "
        "--port " +
        std::to_string(keeper::pick_free_port().value()) + " --dir " + dir_.string()));
    INFO(up.output);
    REQUIRE(up.exit_code == 0);
    d_ = keeper::devnet::read_deployment(dir_ / "deployment.json").value();
    rpc_.emplace(rpc::RpcClientOptions::for_urls({d_.http_url}));
    // The liquidator's key is anvil's published development key 1, never a real one.
    ::setenv("KEEPER_PRIVATE_KEY", std::string{keeper::testing::kAnvilKey1}.c_str(), 1);
    // Every test's devnet has the same accounts, nonces and so liquidation intents; their
    // journals share one state directory, as an operator's would, so each test after the first
    // also proves that a journal is scoped to its own chain (a shared one would skip everything
    // as already sent).
    ::setenv("XDG_STATE_HOME", shared_state_home().c_str(), 1);
  }

  [[nodiscard]] const fs::path& dir() const { return dir_; }
  // One per build of keeper: two checkouts testing at once (each e2e test runs alone within a
  // suite) could start devnets in the same second, which share a genesis and so a journal.
  static fs::path shared_state_home() {
    return fs::temp_directory_path() /
           ("keeper-e2e-state-" +
            std::to_string(std::hash<std::string>{}(::keeper::testing::keeper_binary())));
  }

  // keeper run in the background (JSON logs, metrics on `port`), once it has evaluated a head.
  // `extra` arguments follow (e.g. "--dry-run"); `log_name` keeps two keepers' logs apart.
  std::unique_ptr<BackgroundKeeper> start_keeper(const std::string& config, std::uint16_t port,
                                                 const std::vector<std::string>& extra = {},
                                                 const std::string& log_name = "keeper-run.log") {
    std::vector<std::string> args{
        "run", "--config", config, "--log-format", "json", "--metrics-port", std::to_string(port)};
    args.insert(args.end(), extra.begin(), extra.end());
    auto k = std::make_unique<BackgroundKeeper>(args, dir_ / log_name);
    REQUIRE(k->started());
    const bool up = healthy(port, seconds{60});
    INFO(k->output());
    REQUIRE(up);
    return k;
  }
  [[nodiscard]] std::string config() const { return (dir_ / "keeper.toml").string(); }
  // A copy of the devnet's config named `name`, with the first `from` replaced by `to` (which
  // must be there); its path.
  std::string config_variant(const std::string& name, const std::string& from,
                             const std::string& to) const {
    std::ifstream in{config()};
    std::string text{std::istreambuf_iterator<char>{in}, {}};
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    const auto path = (dir_ / name).string();
    std::ofstream{path} << text;
    return path;
  }
  // A copy of the devnet's config named `name` with `toml` appended (a section it lacks); its path.
  std::string config_with(const std::string& name, const std::string& toml) const {
    std::ifstream in{config()};
    std::string text{std::istreambuf_iterator<char>{in}, {}};
    const auto path = (dir_ / name).string();
    std::ofstream{path} << text << '\n' << toml;
    return path;
  }
  // SYMBOL's latest answer on its aggregator (8 decimals).
  u256 feed_answer(const std::string& symbol) {
    const auto* asset = d_.asset(symbol);
    REQUIRE(asset != nullptr);
    const auto out =
        rpc().call("eth_call", json::array({json{{"to", asset->aggregator.lower_hex()},
                                                 {"data", "0x50d25bcd"}},  // latestAnswer()
                                            "latest"}));
    REQUIRE(out.has_value());
    return u256_from_hex(out->get<std::string>()).value();
  }
  [[nodiscard]] const keeper::devnet::Deployment& deployment() const { return d_; }
  rpc::RpcClient& rpc() { return *rpc_; }

  // `devnet price SYMBOL CHANGE`; returns the block the new answer was mined in.
  std::uint64_t move_price(const std::string& symbol, const std::string& change) {
    const auto out = run_command(
        keeper_command("devnet price " + symbol + " " + change + " --dir " + dir_.string()));
    INFO(out.output);
    REQUIRE(out.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(out.output, m, std::regex{"in block ([0-9]+)"}));
    return std::stoull(m[1]);
  }

  // Writes `answer` (8 decimals) into SYMBOL's FeedAggregator storage (slot 1, latestAnswer): a
  // price with no transaction and no AnswerUpdated, found only by reading the chain.
  void write_feed_answer(const std::string& symbol, const u256& answer) {
    const auto* asset = d_.asset(symbol);
    REQUIRE(asset != nullptr);
    REQUIRE(rpc()
                .call("anvil_setStorageAt",
                      json::array({asset->aggregator.lower_hex(), std::string{"0x1"},
                                   hex_encode(to_be32(answer))}))
                .has_value());
  }

  // Accounts whose health factor is below 1 at `block`, as keeper scan computes it (equal to
  // Pool.getUserAccountData, which the scan test asserts for every account).
  // With `min_collateral_base`, only those holding at least that much collateral (in the
  // oracle's base unit: 1e8 is one dollar).
  std::set<std::string> below_one_at(std::uint64_t block, const u256& min_collateral_base = 0) {
    wait_for_block(block);
    const auto out = run_command(
        keeper_command("scan --json --block " + std::to_string(block) + " --config " + config()));
    INFO(out.output);
    REQUIRE(out.exit_code == 0);
    std::set<std::string> accounts;
    for (const auto& row : json::parse(out.output.substr(out.output.find('['))))
      // The Pool's accounts only: keeper run follows the config's first (Aave) market.
      if (!row.contains("protocol") &&
          u256_from_dec(row["health_factor"].get<std::string>()).value() < kOne &&
          u256_from_dec(row["total_collateral_base"].get<std::string>()).value() >=
              min_collateral_base)
        accounts.insert(row["account"].get<std::string>());
    return accounts;
  }

  // What the price of `block` made liquidatable: the accounts below 1 once it is mined, and
  // those keeper liquidated within the block itself (a backrun of the update lands right behind
  // it, so they are no longer below 1 by the block's end).
  std::set<std::string> made_liquidatable_at(std::uint64_t block,
                                             const u256& min_collateral_base = 0) {
    auto accounts = below_one_at(block, min_collateral_base);
    for (const auto& [account, at] : liquidated_since(block))
      if (at == block) accounts.insert(account);
    return accounts;
  }

  void wait_for_block(std::uint64_t block) {
    const auto deadline = std::chrono::steady_clock::now() + seconds{30};
    while (rpc().block_number().value() < block && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(milliseconds{100});
    REQUIRE(rpc().block_number().value() >= block);
  }

  // Borrower -> the blocks of every LiquidationCall naming our liquidator, from `from` on.
  std::map<std::string, std::vector<std::uint64_t>> liquidation_blocks(std::uint64_t from) {
    rpc::LogFilter filter;
    filter.addresses = {d_.pool};
    filter.topics = {
        {keccak256("LiquidationCall(address,address,address,uint256,uint256,address,bool)")}};
    filter.from_block = from;
    filter.to_block = rpc().block_number().value();
    std::map<std::string, std::vector<std::uint64_t>> out;
    const auto logs = rpc().logs(filter).value();
    for (const auto& log : logs) {
      Hash word{};
      std::copy(log.data.begin() + 64, log.data.begin() + 96, word.begin());
      // keeper liquidates from its wallet, or through its contract when the config names one.
      const Address by = Address::from_word(word);
      if (by != d_.liquidator && by != d_.liquidator_contract) continue;
      out[Address::from_word(log.topics[3]).checksummed()].push_back(log.block_number);
    }
    return out;
  }

  // Pool.getUserAccountData(account).healthFactor at `block`, to the wei; nullopt when the node
  // no longer has that block's state (a node restarted from a saved state keeps no history).
  std::optional<u256> health_factor(const std::string& account, std::uint64_t block) {
    const auto selector = keccak256("getUserAccountData(address)");
    const auto who = Address::from_hex(account).value().lower_hex();
    const std::string data = "0x" + hex_encode(BytesView{selector.data(), 4}).substr(2) +
                             std::string(24, '0') + who.substr(2);
    const auto answer =
        rpc().call("eth_call", json::array({json{{"to", d_.pool.lower_hex()}, {"data", data}},
                                            to_hex_quantity(u256{block})}));
    if (!answer) return std::nullopt;
    const auto out = answer->get<std::string>();
    REQUIRE(out.size() == 2 + 6 * 64);
    return u256_from_hex("0x" + out.substr(2 + 5 * 64, 64)).value();
  }

  // Borrower -> block of the first LiquidationCall naming our liquidator, from `from` on.
  std::map<std::string, std::uint64_t> liquidated_since(std::uint64_t from) {
    std::map<std::string, std::uint64_t> out;
    for (const auto& [account, blocks] : liquidation_blocks(from))
      out.emplace(account, blocks.front());
    return out;
  }

  // Waits (bounded) until every target has been liquidated by keeper since `from`.
  std::map<std::string, std::uint64_t> wait_liquidated(const std::set<std::string>& targets,
                                                       std::uint64_t from, seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    auto landed = liquidated_since(from);
    const auto all_in = [&] {
      for (const auto& t : targets)
        if (!landed.count(t)) return false;
      return true;
    };
    while (!all_in() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds{250});
      landed = liquidated_since(from);
    }
    return landed;
  }

 private:
  fs::path dir_;
  keeper::testing::DevnetGuard guard_;
  keeper::devnet::Deployment d_;
  std::optional<rpc::RpcClient> rpc_;
};

}  // namespace live_devnet_detail

using live_devnet_detail::LiveDevnet;

// A published test key (Foundry's anvil key 9) for searcher signatures (X-Flashbots-Signature):
// it identifies a bundle's sender to a builder and holds nothing.
inline constexpr const char* kSearcherKey =
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";

// A log line of the devnet's Aave V3 market (its Morpho market logs beside it).
inline bool aave_market(const nlohmann::json& e) { return e.value("market", "devnet") == "devnet"; }

// The value of one Prometheus series in a /metrics text; 0 when absent.
inline std::uint64_t metric(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return 0;
  return std::stoull(text.substr(at + series.size() + 2));
}

}  // namespace keeper::testing
