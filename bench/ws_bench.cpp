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

// A pending transaction as anvil sends it with full bodies: the general JSON path, off the log
// hot path (a log frame never reaches it), measured so a mempool flood has a known price.
constexpr std::string_view kPendingNotification =
    R"({"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x6c44576665344b526d476d73334c597a","result":{"type":"0x2","chainId":"0x1","nonce":"0x1c","gas":"0x7a120","maxFeePerGas":"0xb2d05e00","maxPriorityFeePerGas":"0x3b9aca00","to":"0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2","value":"0x0","accessList":[],"input":"0x00a718a9000000000000000000000000c02aaa39b223fe8d0a0e5c4f27ead9083c756cc2000000000000000000000000a0b86991c6218b36c1d19d4a2e9eb0ce3606eb4800000000000000000000000090f79bf6eb2c4f870365e785982e1f101e93b906000000000000000000000000000000000000000000000000000000009502f9000000000000000000000000000000000000000000000000000000000000000000","r":"0x73a771ef3c533b2a895e08d7979544582a67ff7cc4066785f9fe175746ab6555","s":"0x6797c631340e6899428987a594ff036f197445d18d589fbf368f115e30994c17","yParity":"0x0","v":"0x0","hash":"0x5f1c24b34378a21e722b114f2581e5b055c88abdf90204d39cfe9d08c7ef6937","blockHash":null,"blockNumber":null,"transactionIndex":null,"from":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","gasPrice":"0x77359400"}}})";

void BM_ParseAndDispatchPendingTransaction(benchmark::State& state) {
  boost::asio::io_context io;
  chain::ws::WsOptions options;
  options.url = "ws://127.0.0.1:1";
  auto client = chain::ws::WsClient::create(io, options);
  std::uint64_t delivered = 0;
  const auto id = client->subscribe_pending_transactions(
      [&](const chain::rpc::PendingTransaction& tx) { delivered += tx.nonce; });
  client->attach_server_id(id, "0x6c44576665344b526d476d73334c597a");
  for (auto _ : state) client->dispatch(kPendingNotification);
  if (delivered == 0) state.SkipWithError("notification was not dispatched");
}
BENCHMARK(BM_ParseAndDispatchPendingTransaction);

}  // namespace
