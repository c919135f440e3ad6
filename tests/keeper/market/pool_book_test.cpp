// The pool book's assumed sales: a sale decided but not sent is given back, and the quotes after
// it are exactly those of a book that never assumed it. Pools built in memory (full-range
// positions at a price of 1), no node.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "chain/abi/codec.hpp"
#include "dex/uniswap_v3/pool_events.hpp"
#include "dex/uniswap_v3/swap_quote.hpp"
#include "dex/uniswap_v3/tick_math.hpp"
#include "keeper/market/pool_book.hpp"

namespace {

namespace v3 = dex::uniswap_v3;
using chain::Address;
using chain::u256;
using keeper::market::PoolBook;
using strategy::SwapLeg;
using strategy::SwapRoute;

const Address kA = Address::from_hex("0x00000000000000000000000000000000000000a1").value();
const Address kB = Address::from_hex("0x00000000000000000000000000000000000000b1").value();
const Address kC = Address::from_hex("0x00000000000000000000000000000000000000c1").value();
const Address kAB = Address::from_hex("0x0000000000000000000000000000000000000f01").value();
const Address kBC = Address::from_hex("0x0000000000000000000000000000000000000f02").value();
const Address kAC = Address::from_hex("0x0000000000000000000000000000000000000f03").value();
const u256 kEther{1'000'000'000'000'000'000ULL};

// A pool of token0/token1 at price 1 with one full-range position of `liquidity`.
v3::PoolState full_range(const Address& pool, const Address& token0, const Address& token1,
                         std::uint32_t fee, v3::Tick spacing, const u256& liquidity) {
  v3::PoolState p;
  p.address = pool;
  p.token0 = token0;
  p.token1 = token1;
  p.fee = fee;
  p.ticks = v3::TickTable{spacing};
  const v3::Tick lower = v3::kMinTick / spacing * spacing;
  const v3::Tick upper = v3::kMaxTick / spacing * spacing;
  REQUIRE(p.ticks.update(lower, chain::i256{liquidity}, false).has_value());
  REQUIRE(p.ticks.update(upper, chain::i256{liquidity}, true).has_value());
  p.sqrt_price_x96 = u256{1} << 96;
  p.tick = 0;
  p.liquidity = liquidity;
  return p;
}

PoolBook book() {
  const u256 deep = u256{1'000'000} * kEther;  // ~$1M a side at price 1
  return PoolBook::of(
      {},
      {full_range(kAB, kA, kB, 3000, 60, deep), full_range(kBC, kB, kC, 500, 10, deep),
       full_range(kAC, kA, kC, 3000, 60, deep / 4)},
      100);
}

SwapLeg leg(const Address& pool, const Address& in, const Address& out, std::uint32_t fee) {
  return {pool, in, out, fee};
}

// The sales a decision might assume, in order: one pool, two hops through B, the other way.
std::vector<SwapRoute> sales() {
  return {{{leg(kAB, kA, kB, 3000)}, u256{20'000} * kEther, 0},
          {{leg(kAB, kA, kB, 3000), leg(kBC, kB, kC, 500)}, u256{35'000} * kEther, 0},
          {{leg(kAC, kA, kC, 3000)}, u256{12'000} * kEther, 0},
          {{leg(kBC, kC, kB, 500)}, u256{50'000} * kEther, 0},
          {{leg(kAB, kA, kB, 3000), leg(kBC, kB, kC, 500)}, u256{8'000} * kEther, 0}};
}

// What the book quotes along every route the sales take, one ether-sized probe each.
std::vector<u256> probes(const PoolBook& b) {
  std::vector<u256> out;
  for (const auto& s : sales()) out.push_back(b.quote(s.legs, u256{1'000} * kEther).value());
  return out;
}

chain::rpc::Log swap_log(const v3::PoolState& after, const Address& pool, std::uint64_t block) {
  chain::rpc::Log log;
  log.address = pool;
  log.topics = {v3::pool_event_topics()[1], chain::Hash{}, chain::Hash{}};
  namespace abi = chain::abi;
  const std::vector<abi::Type> types{abi::Type::int_(256), abi::Type::int_(256),
                                     abi::Type::uint(160), abi::Type::uint(128),
                                     abi::Type::int_(24)};
  const std::vector<abi::Value> values{abi::Value{0}, abi::Value{0},
                                       abi::Value{after.sqrt_price_x96},
                                       abi::Value{after.liquidity}, abi::Value{after.tick}};
  log.data = abi::encode(types, values).value();
  log.block_number = block;
  return log;
}

}  // namespace

TEST_CASE("a retracted sale leaves the quotes of a book that never assumed it", "[market][pools]") {
  // Which of sales() are retracted (by index); the rest stay assumed in their order.
  const std::vector<std::vector<std::size_t>> cases{
      {0}, {1}, {4}, {0, 2}, {1, 3}, {0, 1, 2, 3, 4}, {3, 1}, {2}};
  const auto all = sales();
  for (const auto& retracted : cases) {
    CAPTURE(retracted);
    auto assumed_all = book();
    for (const auto& s : all) assumed_all.assume_sold(s);
    std::vector<SwapRoute> gone;
    for (const auto i : retracted) gone.push_back(all[i]);
    assumed_all.retract_sold(gone);

    auto only_kept = book();
    for (std::size_t i = 0; i < all.size(); ++i)
      if (std::find(retracted.begin(), retracted.end(), i) == retracted.end())
        only_kept.assume_sold(all[i]);
    CHECK(probes(assumed_all) == probes(only_kept));
  }
  // And retracting a sale moves the quotes: the check above can tell the books apart.
  auto one = book();
  const auto untouched = probes(one);
  one.assume_sold(all[0]);
  CHECK(probes(one) != untouched);
  one.retract_sold(std::vector<SwapRoute>{all[0]});
  CHECK(probes(one) == untouched);
}

TEST_CASE("a retraction keeps what a pool's live log showed since the sale", "[market][pools]") {
  const auto all = sales();
  // Sale 0 is assumed, then the A/B pool's log of the next block shows the pool moved by some
  // other trade; sale 1 is assumed after it. Retracting sale 0 must leave the pool as the log
  // showed it with sale 1 on top: the same as a book that saw the log and then assumed sale 1.
  auto moved = full_range(kAB, kA, kB, 3000, 60, u256{1'000'000} * kEther);
  const auto q =
      v3::quote_exact_input(moved, false, u256{40'000} * kEther, v3::no_price_limit(false)).value();
  v3::apply_quote(moved, q);
  const auto log = swap_log(moved, kAB, 101);

  auto retracting = book();
  retracting.assume_sold(all[0]);
  REQUIRE(retracting.apply_live(log));
  retracting.assume_sold(all[1]);
  retracting.retract_sold(std::vector<SwapRoute>{all[0]});

  auto reference = book();
  REQUIRE(reference.apply_live(log));
  reference.assume_sold(all[1]);
  CHECK(probes(retracting) == probes(reference));
  CHECK(retracting.pool(kAB)->sqrt_price_x96 == reference.pool(kAB)->sqrt_price_x96);
}

TEST_CASE("a retraction of a sale never assumed changes nothing", "[market][pools]") {
  const auto all = sales();
  auto b = book();
  b.assume_sold(all[1]);
  const auto before = probes(b);
  // Another amount on the same legs is another sale.
  SwapRoute other = all[1];
  other.amount_in += 1;
  b.retract_sold(std::vector<SwapRoute>{other, all[0]});
  CHECK(probes(b) == before);
}
