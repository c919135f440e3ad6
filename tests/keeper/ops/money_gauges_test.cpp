// The money gauges read the node on a thread of their own and hand each reading to the event
// loop, which owns the metrics. Run under ThreadSanitizer by scripts/sanitize.sh: the loop, the
// reader and the heads arriving meanwhile must share nothing unguarded.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "keeper/ops/metrics.hpp"
#include "keeper/ops/money_gauges.hpp"
#include "keeper/process/anvil.hpp"

using std::chrono::milliseconds;

namespace {

// The metrics text, rendered on the loop that owns them.
std::string render_on(boost::asio::io_context& io, const keeper::ops::Metrics& metrics) {
  std::promise<std::string> text;
  auto got = text.get_future();
  boost::asio::post(io, [&] { text.set_value(metrics.render(std::chrono::system_clock::now())); });
  return got.get();
}

}  // namespace

TEST_CASE("the money gauges' reader thread hands its readings to the event loop",
          "[ops][threads]") {
  auto anvil = keeper::Anvil::start({});
  INFO((anvil ? std::string{} : anvil.error()));
  REQUIRE(anvil.has_value());
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  keeper::ops::Metrics metrics;
  keeper::ops::MoneyGaugeOptions o;
  o.market = "devnet";
  o.rpc = chain::rpc::RpcClientOptions::for_urls({anvil->http_url()});
  // anvil's development account 0: 10,000 ETH at genesis.
  o.wallet = chain::Address::from_hex("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266").value();
  o.pool = chain::Address::from_hex("0x5FbDB2315678afecb367f032d93F642f64180aa3").value();
  o.every_heads = 1;
  o.sample_every = milliseconds{10};
  std::uint64_t probed = 0;  // touched on the loop only
  keeper::ops::DaemonProbes probes;
  probes.websocket_connected = [&] {
    ++probed;
    return true;
  };
  probes.failed_heads = [] { return std::uint64_t{0}; };
  std::unique_ptr<keeper::ops::MoneyGauges> gauges;
  std::thread loop{[&] { io.run(); }};
  boost::asio::post(
      io, [&] { gauges = std::make_unique<keeper::ops::MoneyGauges>(io, metrics, o, probes); });

  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
  for (std::uint64_t head = 1; std::chrono::steady_clock::now() < deadline; ++head) {
    boost::asio::post(io, [&, head] { gauges->on_head(head); });
    std::this_thread::sleep_for(milliseconds{20});
    text = render_on(io, metrics);
    if (text.find("\nkeeper_wallet_balance_eth 10000\n") != std::string::npos &&
        text.find("\nkeeper_node_up 1\n") != std::string::npos)
      break;
  }
  INFO(text);
  CHECK(text.find("\nkeeper_wallet_balance_eth 10000\n") != std::string::npos);
  CHECK(text.find("\nkeeper_node_up 1\n") != std::string::npos);
  CHECK(text.find("\nkeeper_websocket_connected 1\n") != std::string::npos);
  // Stopped on the loop (the reader is joined there); the loop then ends before the gauges go,
  // so no reading still queued for it runs after.
  std::promise<void> stopped;
  boost::asio::post(io, [&] {
    gauges->stop();
    stopped.set_value();
  });
  stopped.get_future().wait();
  work.reset();
  io.stop();
  loop.join();
  CHECK(probed > 0);
  gauges.reset();
}
