// The shared cache of view-call signatures is used from the event loop and the money gauges'
// reader thread at once. Run under ThreadSanitizer by scripts/sanitize.sh.
#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>
#include <vector>

#include "chain/rpc/batch_call.hpp"

TEST_CASE("view_function is one parsed signature per name across threads", "[rpc][threads]") {
  const std::vector<const char*> signatures = {
      "balanceOf(address)(uint256)",
      "decimals()(uint8)",
      "latestAnswer()(int256)",
      "getReserveData(address)(uint256,uint128,uint128,uint128,uint128,uint128,uint40,uint16,"
      "address,address,address,address,uint128,uint128,uint128)",
      "totalSupply()(uint256)",
      "symbol()(string)"};
  constexpr int kThreads = 4;
  std::vector<std::vector<const chain::abi::Function*>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round)
        for (std::size_t i = 0; i < signatures.size(); ++i) {
          // Each thread starts at another signature, so first parses race each other.
          const auto* s = signatures[(i + static_cast<std::size_t>(t)) % signatures.size()];
          seen[static_cast<std::size_t>(t)].push_back(&chain::rpc::view_function(s));
        }
    });
  for (auto& th : threads) th.join();
  for (const auto* s : signatures) {
    const auto* one = &chain::rpc::view_function(s);
    for (const auto& per_thread : seen)
      CHECK(std::count(per_thread.begin(), per_thread.end(), one) == 200);
  }
}
