// keeper run saves its market state and resumes from it: only a snapshot whose checksum holds
// and whose block is still canonical is trusted; anything else means a full backfill.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "chain/rpc/rpc_client.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/market/snapshot.hpp"
#include "keeper/process/anvil.hpp"
#include "tests/support/chain_fixture.hpp"
#include "tests/support/devnet_guard.hpp"
#include "tests/support/run_command.hpp"

using namespace chain;
using keeper::testing::keeper_command;
using keeper::testing::run_command;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::vector<json> events_of(const std::string& output, const std::string& kind) {
  std::vector<json> out;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    auto j = json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.value("event", "") == kind) out.push_back(j);
  }
  return out;
}

}  // namespace

TEST_CASE("keeper run resumes from a trusted snapshot and distrusts a damaged or orphaned one",
          "[e2e][snapshot]") {
  const fs::path dir =
      fs::temp_directory_path() / ("keeper-restart-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const keeper::testing::DevnetGuard guard{dir};
  REQUIRE(run_command(keeper_command("devnet up --borrowers 200 --seed 1 --block-time 1 --port " +
                                     std::to_string(keeper::pick_free_port().value()) + " --dir " +
                                     dir.string()))
              .exit_code == 0);
  const auto d = keeper::devnet::read_deployment(dir / "deployment.json").value();
  rpc::RpcClient rpc{rpc::RpcClientOptions::for_urls({d.http_url})};
  ::setenv("KEEPER_PRIVATE_KEY", std::string{keeper::testing::kAnvilKey1}.c_str(), 1);
  const std::string config = (dir / "keeper.toml").string();
  const fs::path snapshot = dir / "keeper-state.json";
  const auto run = [&](const std::string& extra) {
    const auto out =
        run_command(keeper_command("run --dry-run --max-blocks 2 --log-format json "
                                   "--log-level debug --config " +
                                   config + " " + extra));
    INFO(out.output);
    REQUIRE(out.exit_code == 0);
    return out.output;
  };
  const auto snapshot_event = [](const std::string& output) {
    const auto e = events_of(output, "snapshot");
    REQUIRE_FALSE(e.empty());
    return e.front();  // the first is the start-up decision; later ones are saves
  };

  // First run: nothing to resume from; the state is saved at exit.
  const auto pre_run = rpc.call("evm_snapshot", json::array()).value();
  auto out = run("");
  CHECK(snapshot_event(out)["used"] == false);
  auto saved = keeper::read_snapshot(snapshot);
  REQUIRE(saved.has_value());
  const auto saved_block = saved->block;
  CHECK(saved->accounts.size() == 201);
  CHECK(saved->positions.size() == 201);

  SECTION("a trusted snapshot is resumed from its block, and the state is exact") {
    REQUIRE(run_command(keeper_command("devnet price WETH -25% --dir " + dir.string())).exit_code ==
            0);
    out = run("");
    const auto e = snapshot_event(out);
    CHECK(e["used"] == true);
    CHECK(e["block"] == saved_block);
    // Resumed state, yet the same 46 accounts as a full read finds (the run test's number).
    std::set<std::string> reported;
    for (const auto& w : events_of(out, "would_liquidate"))
      if (w.value("market", "devnet") == "devnet")  // the Aave market (Morpho's is watched too)
        reported.insert(w["account"].get<std::string>());
    CHECK(reported.size() == 46);
    CHECK(keeper::read_snapshot(snapshot).value().block > saved_block);
  }

  SECTION("a corrupted snapshot means a full backfill") {
    std::string text;
    {
      std::ifstream in(snapshot, std::ios::binary);
      text.assign(std::istreambuf_iterator<char>(in), {});
    }
    const auto at = text.find("\"scaled_a_token\":\"") + 18;
    text[at] = text[at] == '1' ? '2' : '1';
    std::ofstream(snapshot, std::ios::binary | std::ios::trunc) << text;
    out = run("");
    const auto e = snapshot_event(out);
    CHECK(e["used"] == false);
    CHECK_THAT(e["why"].get<std::string>(), Catch::Contains("checksum"));
    CHECK(events_of(out, "synced").front()["accounts"] == 201);
    CHECK(keeper::read_snapshot(snapshot).has_value());  // rewritten whole
  }

  SECTION("a snapshot of a block orphaned by a reorg is not trusted") {
    // Back to before the first run, then a new branch grows past the snapshot's block.
    REQUIRE(rpc.call("evm_revert", json::array({pre_run})).value() == true);
    REQUIRE(rpc.call("anvil_mine", json::array({"0x8"})).has_value());
    REQUIRE(rpc.block_number().value() >= saved_block);
    REQUIRE(rpc.block(saved_block).value().hash != saved->block_hash);
    out = run("");
    const auto e = snapshot_event(out);
    CHECK(e["used"] == false);
    CHECK_THAT(e["why"].get<std::string>(), Catch::Contains("no longer on the canonical chain"));
    CHECK(events_of(out, "synced").front()["accounts"] == 201);
  }

  SECTION("--fork reads the snapshot but never writes it") {
    const auto before = keeper::read_snapshot(snapshot).value().block;
    const auto fork = run_command(
        keeper_command("run --fork --max-blocks 2 --log-format json --config " + config));
    INFO(fork.output);
    REQUIRE(fork.exit_code == 0);
    CHECK(snapshot_event(fork.output)["used"] == true);
    CHECK(keeper::read_snapshot(snapshot).value().block == before);
  }
}
