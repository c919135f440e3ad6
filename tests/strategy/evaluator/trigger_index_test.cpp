#include <catch2/catch.hpp>

#include <random>

#include "strategy/evaluator/trigger_index.hpp"

using namespace strategy;

TEST_CASE("liquidation trigger solves health = 1 for one asset", "[evaluator]") {
  // 2 WETH collateral at LT 0.825 against 3000 USDC debt; prices WETH=2000, USDC=1.
  const std::vector<Weight> w{{0, false, 2.0 * 0.825}, {1, true, 3000.0}};
  const std::vector<double> prices{2000.0, 1.0};
  RiskBook book;
  book.set(7, w);
  CHECK(book.health(7, prices) == Approx(2 * 0.825 * 2000 / 3000.0));

  const auto weth = liquidation_trigger(w, 0, prices);
  REQUIRE(weth.valid);
  CHECK(weth.trigger.on_fall);
  CHECK(weth.trigger.price == Approx(3000.0 / 1.65));
  const auto usdc = liquidation_trigger(w, 1, prices);
  REQUIRE(usdc.valid);
  CHECK_FALSE(usdc.trigger.on_fall);
  CHECK(usdc.trigger.price == Approx(3300.0 / 3000.0));
  // No debt: no price of the collateral makes it liquidatable.
  const std::vector<Weight> safe{{0, false, 1.0}};
  CHECK_FALSE(liquidation_trigger(safe, 0, prices).valid);
}

TEST_CASE("a tick visits exactly the accounts it makes liquidatable", "[evaluator]") {
  // Random accounts over 3 assets; compare the index's answer with a brute-force scan.
  std::mt19937_64 rng{42};
  std::uniform_real_distribution<double> amount(0.1, 10.0);
  const std::vector<double> prices{2000.0, 1.0, 30000.0};
  RiskBook book;
  TriggerIndex index{prices.size()};
  const AccountId n = 2000;
  for (AccountId id = 0; id < n; ++id) {
    std::vector<Weight> w{
        {0, false, amount(rng)}, {2, false, amount(rng) * 0.05}, {1, true, amount(rng) * 2500.0}};
    book.set(id, w);
    index.refresh(id, book.weights(id), prices);
  }
  std::vector<double> before;
  book.health_all(prices, before);

  for (const double new_weth : {1800.0, 1500.0, 2500.0}) {
    auto moved = prices;
    moved[0] = new_weth;
    std::vector<double> after;
    book.health_all(moved, after);
    std::set<AccountId> expected;
    for (AccountId id = 0; id < n; ++id)
      if (before[id] >= 1.0 && after[id] < 1.0) expected.insert(id);
    std::set<AccountId> visited;
    index.crossed(0, prices[0], new_weth, [&](AccountId id) { visited.insert(id); });
    CAPTURE(new_weth);
    CHECK(visited == expected);
    if (new_weth < prices[0]) CHECK_FALSE(expected.empty());
  }
}

TEST_CASE("refresh and remove keep the index consistent", "[evaluator]") {
  const std::vector<double> prices{2000.0, 1.0};
  TriggerIndex index{2};
  const std::vector<Weight> w{{0, false, 1.0}, {1, true, 1500.0}};
  index.refresh(1, w, prices);
  CHECK(index.trigger_count() == 2);
  index.refresh(1, w, prices);  // idempotent
  CHECK(index.trigger_count() == 2);
  int hits = 0;
  index.crossed(0, 2000.0, 1400.0, [&](AccountId) { ++hits; });
  CHECK(hits == 1);
  index.remove(1);
  CHECK(index.trigger_count() == 0);
  hits = 0;
  index.crossed(0, 2000.0, 1400.0, [&](AccountId) { ++hits; });
  CHECK(hits == 0);
}
