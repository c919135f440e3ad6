// `keeper devnet price` as a Chainlink OCR2 transmitter: on a devnet with one-second blocks,
// `--mempool` leaves the transmit pending (seen in full by a newPendingTransactions subscriber)
// until the next block, which then carries the new answer and its NewTransmission; without it
// the update is mined before the command returns, and the Aave oracle reads it.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "chain/ws/ws_client.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/process/anvil.hpp"
#include "oracles/chainlink/pending_update.hpp"
#include "tests/support/devnet_guard.hpp"
#include "tests/support/io_wait.hpp"
#include "tests/support/run_command.hpp"

using namespace chain;
using keeper::testing::keeper_command;
using keeper::testing::run_command;
namespace fs = std::filesystem;

namespace {

const Hash kNewTransmission =
    keccak256("NewTransmission(uint32,int192,address,uint32,int192[],bytes,int192,bytes32,uint40)");

// A small devnet (few borrowers: these tests are about the feed) stopped however the test ends.
struct SmallDevnet {
  fs::path dir;
  keeper::testing::DevnetGuard guard;
  keeper::devnet::Deployment d;
  std::optional<rpc::RpcClient> rpc;

  SmallDevnet(const std::string& name, const std::string& flags)
      : dir{fs::temp_directory_path() / ("keeper-ocr2-" + name + "-" + std::to_string(::getpid()))},
        guard{dir} {
    fs::remove_all(dir);
    const auto up = run_command(keeper_command(
        "devnet up --borrowers 5 --seed 1 " + flags + " --port " +
        std::to_string(keeper::pick_free_port().value()) + " --dir " + dir.string()));
    INFO(up.output);
    REQUIRE(up.exit_code == 0);
    d = keeper::devnet::read_deployment(dir / "deployment.json").value();
    rpc.emplace(rpc::RpcClientOptions::for_urls({d.http_url}));
  }
  std::string dir_arg() const { return " --dir " + dir.string(); }

  i256 latest_answer(const Address& aggregator) {
    const auto fn = abi::parse_function("latestAnswer()(int256)").value();
    const auto out = rpc->eth_call({std::nullopt, aggregator, fn.encode_call(abi::Values{}).value(),
                                    std::nullopt, std::nullopt},
                                   "latest");
    REQUIRE(out.has_value());
    return fn.decode_output(*out).value()[0].as_int();
  }
  u256 aave_price(const Address& token) {
    const auto fn = abi::parse_function("getAssetPrice(address)(uint256)").value();
    const auto out = rpc->eth_call(
        {std::nullopt, d.oracle, fn.encode_call(abi::Values{abi::Value{token}}).value(),
         std::nullopt, std::nullopt},
        "latest");
    REQUIRE(out.has_value());
    return fn.decode_output(*out).value()[0].as_uint();
  }
  // The receipt of `hash`, waiting (bounded) for the block that mines it.
  std::optional<rpc::Receipt> wait_receipt(const Hash& hash, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    auto receipt = rpc->receipt(hash).value();
    while (!receipt && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
      receipt = rpc->receipt(hash).value();
    }
    return receipt;
  }
  // The NewTransmission logs of `aggregator` in `block`.
  std::vector<rpc::Log> transmissions(const Address& aggregator, std::uint64_t block) {
    rpc::LogFilter filter;
    filter.addresses = {aggregator};
    filter.topics = {{kNewTransmission}};
    filter.from_block = block;
    filter.to_block = block;
    return rpc->logs(filter).value();
  }
};

std::string anvil_command_line(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string args((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::replace(args.begin(), args.end(), '\0', ' ');
  return args;
}

Hash hash_in(const std::string& output) {
  std::smatch m;
  const bool found = std::regex_search(output, m, std::regex{"transmit (0x[0-9a-f]{64})"});
  INFO(output);
  REQUIRE(found);
  return hex_decode_fixed<32>(m[1].str()).value();
}

}  // namespace

// The devnet's default is mainnet's shape: a block every 2 s, the pool ordered by tip.
TEST_CASE("devnet price --mempool leaves the OCR2 transmit pending until the next block",
          "[devnet][ocr2][mempool]") {
  SmallDevnet net{"mempool", ""};
  const auto& d = net.d;
  auto& rpc = *net.rpc;
  REQUIRE(d.block_time == std::optional<std::uint64_t>{2});
  const auto anvil_args = anvil_command_line(d.anvil_pid);
  CHECK_THAT(anvil_args, Catch::Contains("--block-time 2"));
  CHECK_THAT(anvil_args, Catch::Contains("--order fees"));
  const auto* weth = d.asset("WETH");
  REQUIRE(weth != nullptr);
  const i256 before = net.latest_answer(weth->aggregator);
  const i256 expected = before * 7500 / 10000;

  // A subscriber to the mempool's full bodies, as keeper's pending collector is.
  boost::asio::io_context io;
  ws::WsOptions ws_options;
  ws_options.url = d.ws_url;
  auto client = ws::WsClient::create(io, ws_options);
  std::vector<rpc::PendingTransaction> seen;
  client->subscribe_pending_transactions(
      [&](const rpc::PendingTransaction& tx) { seen.push_back(tx); });
  client->start();
  REQUIRE(keeper::testing::run_until(
      io, [&] { return client->counters().messages >= 1; }, std::chrono::seconds{5}));

  const auto out = run_command(keeper_command("devnet price WETH -25% --mempool" + net.dir_arg()));
  // Read at once: the command sent it just after a block, so the next is two seconds away.
  const auto tx = rpc.call("eth_getTransactionByHash",
                           nlohmann::json::array({hex_encode(hash_in(out.output))}));
  INFO(out.output);
  REQUIRE(out.exit_code == 0);
  const Hash hash = hash_in(out.output);
  REQUIRE(tx.has_value());
  REQUIRE(tx->is_object());
  CHECK((*tx)["blockNumber"].is_null());  // pending: returned before the block was mined
  CHECK_FALSE(rpc.receipt(hash).value().has_value());
  CHECK(net.latest_answer(weth->aggregator) == before);  // not yet on chain
  std::smatch m;
  REQUIRE(std::regex_search(out.output, m, std::regex{"in the mempool after block ([0-9]+)"}));
  const std::uint64_t sent_after = std::stoull(m[1]);

  // The subscriber saw the whole transaction, and keeper's decoder reads the new answer from it.
  REQUIRE(keeper::testing::run_until(
      io,
      [&] {
        return std::any_of(seen.begin(), seen.end(),
                           [&](const rpc::PendingTransaction& p) { return p.hash == hash; });
      },
      std::chrono::seconds{5}));
  const auto& pending = *std::find_if(
      seen.begin(), seen.end(), [&](const rpc::PendingTransaction& p) { return p.hash == hash; });
  CHECK(pending.from == d.admin);
  CHECK(pending.to == weth->aggregator);
  CHECK(pending.type == 2);
  CHECK(pending.max_priority_fee_per_gas == u256{1'000'000'000ULL});
  CHECK(pending.gas < 1'000'000);  // leaves room in its block for the backruns behind it
  const auto update = oracles::chainlink::decode_update(pending.input);
  REQUIRE(update.has_value());
  CHECK(update->kind == oracles::chainlink::UpdateKind::ocr2_transmit);
  CHECK(update->answer == expected);
  CHECK(update->observations == 31);
  client->stop();

  // The next block carries it: the new answer, its NewTransmission, and the Aave price.
  const auto receipt = net.wait_receipt(hash, std::chrono::seconds{10});
  REQUIRE(receipt.has_value());
  CHECK(receipt->success);
  CHECK(receipt->block_number == sent_after + 1);
  CHECK(net.latest_answer(weth->aggregator) == expected);
  CHECK(net.aave_price(weth->token) == static_cast<u256>(expected));
  const auto logs = net.transmissions(weth->aggregator, receipt->block_number);
  REQUIRE(logs.size() == 1);
  CHECK(logs[0].transaction_hash == hash);
}

TEST_CASE("devnet price sends an OCR2 transmit that is mined before it returns", "[devnet][ocr2]") {
  SmallDevnet net{"automine", "--block-time 0"};
  const auto& d = net.d;
  CHECK_FALSE(d.block_time.has_value());
  CHECK_THAT(anvil_command_line(d.anvil_pid), !Catch::Contains("--block-time"));
  const auto* weth = d.asset("WETH");
  REQUIRE(weth != nullptr);

  struct Step {
    const char* move;
    const char* flags;
    i256 answer;
  };
  // WETH starts at $2000 (8 decimals); each step's report must come after the one before.
  const Step steps[] = {{"-10%", "", i256{180'000'000'000LL}},
                        {"1500", " --no-pools", i256{150'000'000'000LL}},
                        {"+20%", " --mempool", i256{180'000'000'000LL}}};
  for (const auto& s : steps) {
    CAPTURE(s.move, s.flags);
    const auto out = run_command(
        keeper_command(std::string{"devnet price WETH "} + s.move + s.flags + net.dir_arg()));
    INFO(out.output);
    REQUIRE(out.exit_code == 0);
    const Hash hash = hash_in(out.output);
    // Automine: even --mempool's transmit is mined at once, and the command says so.
    if (std::string{s.flags} == " --mempool")
      CHECK_THAT(out.output, Catch::Contains("mines a block per transaction"));
    const auto receipt = net.wait_receipt(hash, std::chrono::seconds{5});
    REQUIRE(receipt.has_value());
    CHECK(receipt->success);
    CHECK(net.latest_answer(weth->aggregator) == s.answer);
    CHECK(net.aave_price(weth->token) == static_cast<u256>(s.answer));
    const auto logs = net.transmissions(weth->aggregator, receipt->block_number);
    REQUIRE(logs.size() == 1);
    CHECK(logs[0].transaction_hash == hash);
  }
}
