// Ingest rate of decoded Pool logs: the specialised Aave event decoder on a Borrow log.
#include <benchmark/benchmark.h>

#include "chain/keccak.hpp"
#include "protocols/aave_v3/events.hpp"

namespace {

void BM_DecodePoolBorrowEvent(benchmark::State& state) {
  chain::Hash reserve{}, user{};
  reserve[31] = 1;
  user[31] = 2;
  const std::vector<chain::Hash> topics{
      chain::keccak256("Borrow(address,address,address,uint256,uint8,uint256,uint16)"), reserve,
      user, chain::Hash{}};
  chain::Bytes data;
  for (const std::uint64_t w : {3ULL, 1'000'000ULL, 2ULL, 50'000'000'000'000'000ULL})
    chain::append(data, chain::to_be32(chain::u256{w}));
  const chain::Address pool = chain::Address::from_word(reserve);
  for (auto _ : state)
    benchmark::DoNotOptimize(protocols::aave_v3::decode_event({pool, topics, data}));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_DecodePoolBorrowEvent);

}  // namespace
