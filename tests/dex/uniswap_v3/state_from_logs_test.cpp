#include <catch2/catch.hpp>

#include "dex/uniswap_v3/pool_updates.hpp"
#include "dex/uniswap_v3/swap_quote.hpp"
#include "tests/dex/uniswap_v3/pool_setups.hpp"
#include "tests/dex/uniswap_v3/test_values.hpp"

using namespace dex::uniswap_v3;
using namespace dex_test;

namespace {

// Applies the pool's logs in (from, to] to `state`, in chain order.
void follow(UniswapFixture& f, PoolState& state, std::uint64_t from, std::uint64_t to) {
  chain::rpc::LogFilter filter;
  filter.addresses = {state.address};
  filter.from_block = from + 1;
  filter.to_block = to;
  const auto logs = f.rpc().logs(filter);
  REQUIRE(logs.has_value());
  for (const auto& log : *logs) {
    const auto applied = apply_log(state, {log.address, log.topics, log.data}, log.removed);
    INFO("block " << log.block_number << " log " << log.log_index);
    REQUIRE(applied.has_value());
  }
}

// The state rebuilt from logs equals a fresh load: price, tick, liquidity, and the same
// initialized ticks with the same liquidity in every word the load read. The ticks beyond it (the
// full-range position's) are read from the pool one by one.
void check_same(UniswapFixture& f, const PoolState& from_logs, const PoolState& loaded) {
  CHECK(chain::to_dec(from_logs.sqrt_price_x96) == chain::to_dec(loaded.sqrt_price_x96));
  CHECK(from_logs.tick == loaded.tick);
  CHECK(chain::to_dec(from_logs.liquidity) == chain::to_dec(loaded.liquidity));
  std::vector<TickLiquidity> inside;
  std::size_t outside = 0;
  for (const TickLiquidity& t : from_logs.ticks.ticks()) {
    if (loaded.ticks.knows_word(TickTable::word_of(t.tick, loaded.tick_spacing()))) {
      inside.push_back(t);
      continue;
    }
    ++outside;
    CAPTURE(t.tick);
    const auto [gross, net] = f.tick_liquidity(from_logs.address, t.tick);
    CHECK(chain::to_dec(gross) == chain::to_dec(t.liquidity_gross));
    CHECK(net == t.liquidity_net);
  }
  CHECK(outside == 2);
  const auto b = loaded.ticks.ticks();
  REQUIRE(inside.size() == b.size());
  for (std::size_t i = 0; i < inside.size(); ++i) {
    CAPTURE(inside[i].tick);
    CHECK(inside[i] == b[i]);
  }
}

}  // namespace

TEST_CASE("pool state rebuilt from Initialize/Swap/Mint/Burn logs equals a fresh load from chain",
          "[uniswap][anvil]") {
  UniswapFixture f;
  const PoolSpec spec = pool_specs()[0];
  const std::uint64_t created_after = f.rpc().block_number().value();
  const LivePool pool = create_pool(f, spec);

  // Immutables come from a load; everything else only from logs, starting before the pool existed.
  PoolState from_logs;
  {
    const PoolState loaded = load(f, pool);
    from_logs.address = loaded.address;
    from_logs.token0 = loaded.token0;
    from_logs.token1 = loaded.token1;
    from_logs.fee = loaded.fee;
    from_logs.ticks = TickTable{loaded.tick_spacing()};
  }
  std::uint64_t seen = created_after;
  const auto catch_up = [&](const char* step) {
    INFO(step);
    const std::uint64_t head = f.rpc().block_number().value();
    follow(f, from_logs, seen, head);
    seen = head;
    check_same(f, from_logs, load(f, pool));
  };
  catch_up("after creation and the initial positions");

  const Address& t0 = pool.token0;
  const Address& t1 = pool.token1;
  const u256 none = 0;
  // Swaps down and up across narrow positions, one ending exactly on a tick's price.
  (void)f.swap_exact_input(pool.address, t0, t1, spec.fee, e18(60), none);
  catch_up("after a swap down across several ticks");
  (void)f.swap_exact_output(pool.address, t1, t0, spec.fee, e18(90), none);
  catch_up("after an exact-output swap up");
  (void)f.swap_exact_input(pool.address, t1, t0, spec.fee, e18(1000),
                           get_sqrt_ratio_at_tick(200).value());
  catch_up("after a swap stopped exactly on tick 200's price");
  (void)f.swap_exact_input(pool.address, t0, t1, spec.fee, e18(5),
                           get_sqrt_ratio_at_tick(100).value());
  catch_up("after a swap down stopped on tick 100's price");

  // New positions (one sharing ticks with existing ones), partial and full removals.
  const u256 id_a = f.mint(t0, t1, spec.fee, -200, 200, e18(7), e18(7));
  const u256 id_b = f.mint(t0, t1, spec.fee, 100, 2600, e18(3), e18(3));
  catch_up("after two mints");
  f.decrease(id_a, f.position_liquidity(id_a) / 3);
  catch_up("after a partial burn");
  f.decrease(id_b, f.position_liquidity(id_b));
  catch_up("after a full burn that clears tick 100's extra liquidity");
  f.decrease(id_a, f.position_liquidity(id_a));
  catch_up("after the last of a position, clearing ticks -200 and 200's extra");
  (void)f.swap_exact_input(pool.address, t1, t0, spec.fee, e18(200), none);
  (void)f.swap_exact_input(pool.address, t0, t1, spec.fee, e18(3), none);
  catch_up("after two swaps in one catch-up");

  // The rebuilt state quotes exactly what the chain's QuoterV2 says, across the deep [200, 600)
  // range the price sits in and out of it.
  const auto local = quote_exact_input(from_logs, true, e18(1500), no_price_limit(true));
  REQUIRE(local.has_value());
  CHECK(local->ticks_crossed > 0);
  const auto quoted = f.quote_exact_input_single(t0, t1, spec.fee, e18(1500), 0);
  REQUIRE(quoted.has_value());
  CHECK(chain::to_dec(quoted->amount) == chain::to_dec(local->amount_out));
}
