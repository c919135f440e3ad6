#include <catch2/catch.hpp>

#include <algorithm>
#include <iostream>

#include "dex/uniswap_v3/path_quote.hpp"
#include "dex/uniswap_v3/swap_quote.hpp"
#include "tests/dex/uniswap_v3/pool_setups.hpp"
#include "tests/dex/uniswap_v3/test_values.hpp"

using namespace dex::uniswap_v3;
using namespace dex_test;

namespace {

struct Size {
  const char* name;
  u256 amount;
};

// tiny, medium, crossing several initialized ticks, and enough to exhaust the pool's liquidity.
const std::vector<Size>& sizes() {
  static const std::vector<Size> s{{"tiny", 1000},
                                   {"medium", e18(1)},
                                   {"crossing", e18(40)},
                                   {"large", e18(400)},
                                   {"exhausting", e18(1'000'000'000)}};
  return s;
}

// A price limit a few hundred ticks away in the swap's direction, or none (QuoterV2's 0).
u256 limit_for(const PoolState& state, bool zero_for_one, bool near) {
  if (!near) return no_price_limit(zero_for_one);
  const Tick away =
      std::clamp(state.tick + (zero_for_one ? -777 : 777), kMinTick + 1, kMaxTick - 1);
  return get_sqrt_ratio_at_tick(away).value();
}

std::string dec_of(const u256& v) { return chain::to_dec(v); }

bool covers_all(const PoolState& state) {
  const Tick spacing = state.tick_spacing();
  return state.ticks.knows_word(TickTable::word_of(kMinTick, spacing)) &&
         state.ticks.knows_word(TickTable::word_of(kMaxTick, spacing));
}

}  // namespace

TEST_CASE(
    "local quotes equal QuoterV2 and executed swaps to the wei across pools, sizes, "
    "directions and price limits",
    "[uniswap][anvil]") {
  UniswapFixture f;
  std::size_t quoter_matches = 0;
  std::size_t swap_matches = 0;
  std::size_t crossing_cases = 0;
  std::size_t refused_cases = 0;
  for (const PoolSpec& spec : pool_specs()) {
    const LivePool pool = create_pool(f, spec);
    // Every case's swap is executed for real: the next case starts where it left the pool
    // (directions alternate, so the price swings both ways; running dry comes last).
    for (const bool near_limit : {true, false}) {
      for (const Size& size : sizes()) {
        for (const SwapKind kind : {SwapKind::exact_input, SwapKind::exact_output}) {
          for (const bool zero_for_one : {true, false}) {
            const PoolState state = load(f, pool);
            const Address& in = zero_for_one ? pool.token0 : pool.token1;
            const Address& out = zero_for_one ? pool.token1 : pool.token0;
            const bool exact_in = kind == SwapKind::exact_input;
            const u256 limit = limit_for(state, zero_for_one, near_limit);
            // The 0 the quoter and router take for "no limit" is the same limit locally.
            const u256 onchain_limit = near_limit ? limit : u256{0};
            CAPTURE(spec.name, near_limit, size.name, exact_in, zero_for_one, state.tick);
            const auto local = simulate_swap(state, zero_for_one, kind, size.amount, limit);
            INFO((local ? "" : std::string{describe(local.error())}));
            // Running a pool dry to the edge of the price range walks every bitmap word: only
            // the pool loaded whole may quote that; the others must refuse rather than guess.
            if (!near_limit && size.amount == sizes().back().amount && !covers_all(state)) {
              REQUIRE(!local.has_value());
              CHECK(local.error() == QuoteError::ticks_not_loaded);
              continue;
            }
            // A swap the pool itself refuses (a price limit beyond the price range once the pool
            // has run dry to its edge): QuoterV2 refuses it too.
            if (!local) {
              CHECK(local.error() != QuoteError::ticks_not_loaded);
              CHECK(!(exact_in ? f.quote_exact_input_single(in, out, spec.fee, size.amount,
                                                            onchain_limit)
                               : f.quote_exact_output_single(in, out, spec.fee, size.amount,
                                                             onchain_limit))
                         .has_value());
              ++refused_cases;
              continue;
            }
            if (local->ticks_crossed > 0) ++crossing_cases;

            const auto quoted =
                exact_in
                    ? f.quote_exact_input_single(in, out, spec.fee, size.amount, onchain_limit)
                    : f.quote_exact_output_single(in, out, spec.fee, size.amount, onchain_limit);
            // Without a limit, an exact output the pool cannot fill makes QuoterV2 (and the
            // router) revert; so does a swap that moves no token at all.
            const bool unfilled = !exact_in && !near_limit && local->amount_out != size.amount;
            const bool nothing = local->amount_in == 0 && local->amount_out == 0;
            if (unfilled || nothing) {
              CHECK(!quoted.has_value());
              ++refused_cases;
              continue;
            }
            REQUIRE(quoted.has_value());
            const u256& local_answer = exact_in ? local->amount_out : local->amount_in;
            CHECK(dec_of(quoted->amount) == dec_of(local_answer));
            CHECK(dec_of(quoted->sqrt_price_after) == dec_of(local->sqrt_price_after));
            if (quoted->amount == local_answer &&
                quoted->sqrt_price_after == local->sqrt_price_after)
              ++quoter_matches;

            const ExecutedSwap done = exact_in
                                          ? f.swap_exact_input(pool.address, in, out, spec.fee,
                                                               size.amount, onchain_limit)
                                          : f.swap_exact_output(pool.address, in, out, spec.fee,
                                                                size.amount, onchain_limit);
            CHECK(dec_of(done.amount_in) == dec_of(local->amount_in));
            CHECK(dec_of(done.amount_out) == dec_of(local->amount_out));
            CHECK(dec_of(done.sqrt_price_after) == dec_of(local->sqrt_price_after));
            CHECK(done.tick_after == local->tick_after);
            CHECK(dec_of(done.liquidity_after) == dec_of(local->liquidity_after));
            if (done.amount_in == local->amount_in && done.amount_out == local->amount_out &&
                done.sqrt_price_after == local->sqrt_price_after &&
                done.tick_after == local->tick_after &&
                done.liquidity_after == local->liquidity_after)
              ++swap_matches;
          }
        }
      }
    }
  }
  std::cout << "uniswap parity: " << quoter_matches << " QuoterV2 single-pool cases and "
            << swap_matches << " executed swaps equal to the wei; " << crossing_cases
            << " crossed initialized ticks, " << refused_cases << " refused by both\n";
  CHECK(crossing_cases >= 60);
  CHECK(quoter_matches >= 140);
  CHECK(swap_matches == quoter_matches);
}

TEST_CASE(
    "two-hop quotes equal QuoterV2's quoteExactInput/quoteExactOutput and the router's "
    "multi-hop swap",
    "[uniswap][anvil]") {
  UniswapFixture f;
  const auto specs = pool_specs();
  const LivePool first = create_pool(f, specs[0]);   // token0 / token1, fee 500
  const LivePool second = create_pool(f, specs[1]);  // token1 / token2, fee 3000
  const auto& t = f.tokens();
  struct Route {
    const char* name;
    std::vector<Address> tokens;
    std::vector<std::uint32_t> fees;
    bool forward;  // token0 -> token2
  };
  const Route routes[] = {
      {"token0 -> token1 -> token2", {t[0], t[1], t[2]}, {500, 3000}, true},
      {"token2 -> token1 -> token0", {t[2], t[1], t[0]}, {3000, 500}, false},
  };
  std::size_t matches = 0;
  for (const u256& amount : {u256{1000}, e18(1), e18(30), e18(150)}) {
    for (const Route& r : routes) {
      CAPTURE(r.name, dec_of(amount));
      // Each case's swap is executed: both pools are read afresh.
      const PoolState a = load(f, first);
      const PoolState b = load(f, second);
      std::vector<Hop> hops{{&a, true}, {&b, true}};
      if (!r.forward) hops = {{&b, false}, {&a, false}};
      const auto local_in = quote_path_exact_input(hops, amount);
      REQUIRE(local_in.has_value());
      CHECK(local_in->hops.size() == 2);
      const auto quoted_in = f.quote_exact_input(r.tokens, r.fees, amount);
      REQUIRE(quoted_in.has_value());
      CHECK(dec_of(*quoted_in) == dec_of(local_in->amount_out));

      const auto local_out = quote_path_exact_output(hops, amount);
      REQUIRE(local_out.has_value());
      const auto quoted_out = f.quote_exact_output(r.tokens, r.fees, amount);
      REQUIRE(quoted_out.has_value());
      CHECK(dec_of(*quoted_out) == dec_of(local_out->amount_in));

      const u256 received = f.swap_path_exact_input(r.tokens, r.fees, amount);
      CHECK(dec_of(received) == dec_of(local_in->amount_out));
      if (*quoted_in == local_in->amount_out && *quoted_out == local_out->amount_in &&
          received == local_in->amount_out)
        ++matches;
    }
  }
  std::cout << "uniswap parity: " << matches << " two-hop cases equal to the wei\n";
  CHECK(matches == 8);
}
