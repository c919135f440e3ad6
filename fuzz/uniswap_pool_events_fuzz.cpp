// Property: any sequence of logs offered to a Uniswap V3 pool state is applied or refused, never
// crashes, and leaves the state within what a pool can hold; a quote from it never crashes.
// Input: records of [event 0..3][topic count][data words][topics][data], for one pool.
#include "fuzz/fuzz_target.hpp"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "dex/uniswap_v3/pool_updates.hpp"
#include "dex/uniswap_v3/swap_quote.hpp"

namespace {

using namespace dex::uniswap_v3;

void check_invariants(const PoolState& p) {
  if (p.liquidity > kU128Max) std::abort();
  const auto ticks = p.ticks.ticks();
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    if (ticks[i].liquidity_gross == 0 || ticks[i].liquidity_gross > kU128Max) std::abort();
    if (i > 0 && ticks[i - 1].tick >= ticks[i].tick) std::abort();
  }
  if (p.initialized() && !tick_matches_price(p.tick, p.sqrt_price_x96)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  PoolState pool;
  pool.fee = 3000;
  pool.ticks = TickTable{60};
  const auto topics0 = pool_event_topics();
  std::size_t at = 0;
  while (at + 3 <= size) {
    const std::size_t kind = data[at] % topics0.size();
    const std::size_t topic_count = data[at + 1] % 5;
    const std::size_t words = data[at + 2] % 8;
    at += 3;
    std::vector<chain::Hash> topics;
    if (topic_count > 0) topics.push_back(topics0[kind]);
    for (std::size_t t = 1; t < topic_count; ++t) {
      chain::Hash h{};
      const std::size_t n = std::min<std::size_t>(32, size - at);
      std::copy(data + at, data + at + n, h.begin() + static_cast<std::ptrdiff_t>(32 - n));
      at += n;
      topics.push_back(h);
    }
    const std::size_t n = std::min(words * 32, size - at);
    const chain::BytesView log_data{data + at, n};
    at += n;
    (void)apply_log(pool, {pool.address, topics, log_data});
    check_invariants(pool);
  }
  if (pool.initialized()) {
    for (const bool down : {true, false})
      (void)quote_exact_input(pool, down, u256{1'000'000'000'000'000'000ULL}, no_price_limit(down));
  }
  return 0;
}
