// Costs on the backrun path: reading the new answer out of a pending Chainlink transmit, and
// building and signing the eth_sendBundle request that follows it.
#include <benchmark/benchmark.h>

#include <fstream>
#include <string>

#include "chain/hex.hpp"
#include "keeper/executors/bundle.hpp"
#include "keeper/executors/flashbots_signature.hpp"
#include "keeper/process/source_dir.hpp"
#include "oracles/chainlink/pending_update.hpp"

namespace {

// The mainnet ETH/USD OCR2 transmit the decoder's tests use (31 observations).
chain::Bytes eth_usd_transmit() {
  std::ifstream in(::keeper::process::source_dir() + "/tests/oracles/chainlink/vectors/ethusd.hex");
  std::string text;
  in >> text;
  return chain::hex_decode(text).value();
}

void BM_DecodeOcr2Transmit(benchmark::State& state) {
  const chain::Bytes calldata = eth_usd_transmit();
  for (auto _ : state) benchmark::DoNotOptimize(oracles::chainlink::decode_update(calldata));
}
BENCHMARK(BM_DecodeOcr2Transmit);

void BM_SignedSendBundleBody(benchmark::State& state) {
  // A searcher key from anvil's published development keys; a benchmark holds no real key.
  static const auto key = chain::PrivateKey::from_hex(
                              "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6")
                              .value();
  keeper::executors::Bundle bundle;
  bundle.txs = {eth_usd_transmit(), chain::Bytes(400, 0x5a)};  // an update and a liquidation
  bundle.block_number = 21'000'000;
  std::uint64_t id = 0;
  for (auto _ : state) {
    const std::string body = keeper::executors::send_bundle_body(bundle, ++id);
    benchmark::DoNotOptimize(keeper::executors::flashbots_signature(key, body));
  }
}
BENCHMARK(BM_SignedSendBundleBody);

}  // namespace
