// The WebSocket hot path: one eth_subscription `logs` notification parsed, typed and dispatched.
#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>

#include "chain/ws/ws_client.hpp"

namespace {

// A realistic Pool Borrow log: 4 topics, 4 data words, every field a node sends.
constexpr std::string_view kNotification =
    R"({"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x9ce59a13059e417087c02d3236a0b1cc","result":{"address":"0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2","topics":["0xb3d084820fb1a9decffb176436bd02558d15fac9b0ddfed8c465bc7359d7dce0","0x000000000000000000000000c02aaa39b223fe8d0a0e5c4f27ead9083c756cc2","0x00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8","0x0000000000000000000000000000000000000000000000000000000000000000"],"data":"0x00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c80000000000000000000000000000000000000000000000000de0b6b3a76400000000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000002c8f4bbcbe2de0f5e0c4e1f","blockNumber":"0x11a3c4b","transactionHash":"0x6c1f9ea1b1f0fd4b0d5b51a0d9d7a6b0e9a0d2c1b3e4f5a6b7c8d9e0f1a2b3c4","transactionIndex":"0x5","blockHash":"0x8a1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8","logIndex":"0x2a","removed":false}}})";

void BM_ParseAndDispatchLogNotification(benchmark::State& state) {
  boost::asio::io_context io;
  chain::ws::WsOptions options;
  options.url = "ws://127.0.0.1:1";
  auto client = chain::ws::WsClient::create(io, options);
  std::uint64_t delivered = 0;
  client->subscribe_logs({}, [&](const chain::rpc::Log& log) { delivered += log.log_index; });
  client->attach_server_id(1, "0x9ce59a13059e417087c02d3236a0b1cc");
  for (auto _ : state) client->dispatch(kNotification);
  if (delivered == 0) state.SkipWithError("notification was not dispatched");
}
BENCHMARK(BM_ParseAndDispatchLogNotification);

}  // namespace
