#include <catch2/catch.hpp>

#include <random>

#include "chain/abi/codec.hpp"
#include "chain/keccak.hpp"
#include "dex/uniswap_v3/pool_events.hpp"
#include "dex/uniswap_v3/pool_updates.hpp"

using namespace dex::uniswap_v3;
using chain::Address;
using chain::Hash;
namespace abi = chain::abi;

namespace {

const Address kPool = Address::from_hex("0x1111111111111111111111111111111111111111").value();
const Address kOwner = Address::from_hex("0x2222222222222222222222222222222222222222").value();

Hash word_of(const abi::Value& v, const abi::Type& t) {
  const auto bytes = abi::encode(std::vector<abi::Type>{t}, std::vector<abi::Value>{v}).value();
  Hash h{};
  std::copy(bytes.begin(), bytes.end(), h.begin());
  return h;
}

struct OwnedLog {
  Address address = kPool;
  std::vector<Hash> topics;
  chain::Bytes data;
  [[nodiscard]] PoolLog view() const { return {address, topics, data}; }
};

OwnedLog initialize_log(const u256& price, Tick tick) {
  OwnedLog l;
  l.topics = {chain::keccak256("Initialize(uint160,int24)")};
  l.data = abi::encode(std::vector{abi::Type::uint(160), abi::Type::int_(24)},
                       std::vector<abi::Value>{price, abi::Value{tick}})
               .value();
  return l;
}

OwnedLog swap_log(const i256& a0, const i256& a1, const u256& price, const u256& liquidity,
                  Tick tick) {
  OwnedLog l;
  l.topics = {chain::keccak256("Swap(address,address,int256,int256,uint160,uint128,int24)"),
              word_of(kOwner, abi::Type::address()), word_of(kOwner, abi::Type::address())};
  l.data = abi::encode(std::vector{abi::Type::int_(), abi::Type::int_(), abi::Type::uint(160),
                                   abi::Type::uint(128), abi::Type::int_(24)},
                       std::vector<abi::Value>{abi::Value::from_int(a0), abi::Value::from_int(a1),
                                               price, liquidity, abi::Value{tick}})
               .value();
  return l;
}

OwnedLog liquidity_log(bool mint, Tick lower, Tick upper, const u256& amount) {
  OwnedLog l;
  const auto tick_word = [](Tick t) { return word_of(abi::Value{t}, abi::Type::int_(24)); };
  if (mint) {
    l.topics = {chain::keccak256("Mint(address,address,int24,int24,uint128,uint256,uint256)"),
                word_of(kOwner, abi::Type::address()), tick_word(lower), tick_word(upper)};
    l.data = abi::encode(std::vector{abi::Type::address(), abi::Type::uint(128), abi::Type::uint(),
                                     abi::Type::uint()},
                         std::vector<abi::Value>{kOwner, amount, u256{5}, u256{6}})
                 .value();
  } else {
    l.topics = {chain::keccak256("Burn(address,int24,int24,uint128,uint256,uint256)"),
                word_of(kOwner, abi::Type::address()), tick_word(lower), tick_word(upper)};
    l.data = abi::encode(std::vector{abi::Type::uint(128), abi::Type::uint(), abi::Type::uint()},
                         std::vector<abi::Value>{amount, u256{5}, u256{6}})
                 .value();
  }
  return l;
}

const u256 kPrice0 = u256{1} << 96;  // tick 0

}  // namespace

TEST_CASE("pool events decode to their fields, negative ticks and amounts included",
          "[uniswap][events]") {
  const auto init = decode_pool_event(initialize_log(kPrice0, 0).view());
  REQUIRE(init.has_value());
  CHECK(std::get<Initialize>(*init).sqrt_price_x96 == kPrice0);

  const auto swap = decode_pool_event(swap_log(-5, 7, kPrice0 - 1, 1000, -1).view());
  REQUIRE(swap.has_value());
  const auto& s = std::get<Swap>(*swap);
  CHECK(s.amount0 == -5);
  CHECK(s.amount1 == 7);
  CHECK(s.tick == -1);
  CHECK(s.liquidity == 1000);
  CHECK(s.sender == kOwner);

  const auto mint = decode_pool_event(liquidity_log(true, -120, 60, 42).view());
  REQUIRE(mint.has_value());
  const auto& m = std::get<LiquidityChange>(*mint);
  CHECK(m.mint);
  CHECK(m.tick_lower == -120);
  CHECK(m.tick_upper == 60);
  CHECK(m.amount == 42);
  CHECK(m.owner == kOwner);

  const auto burn = decode_pool_event(liquidity_log(false, -887220, 887220, 9).view());
  REQUIRE(burn.has_value());
  CHECK(!std::get<LiquidityChange>(*burn).mint);
  CHECK(std::get<LiquidityChange>(*burn).tick_lower == -887220);
}

TEST_CASE("malformed pool logs are errors, never a crash", "[uniswap][events]") {
  struct Row {
    const char* name;
    OwnedLog log;
    PoolEventError error;
  };
  std::vector<Row> rows;
  {
    OwnedLog l = swap_log(1, -1, kPrice0, 1, 0);
    l.data.pop_back();
    rows.push_back({"truncated data", l, PoolEventError::wrong_data_length});
  }
  {
    OwnedLog l = swap_log(1, -1, kPrice0, 1, 0);
    l.data.resize(l.data.size() + 32);
    rows.push_back({"extra data word", l, PoolEventError::wrong_data_length});
  }
  {
    OwnedLog l = liquidity_log(true, -60, 60, 1);
    l.topics.pop_back();
    rows.push_back({"missing topic", l, PoolEventError::wrong_topic_count});
  }
  {
    OwnedLog l = swap_log(1, -1, kPrice0, 1, 0);
    l.topics[1][0] = 1;  // an address topic with high bytes set
    rows.push_back({"dirty address", l, PoolEventError::bad_word});
  }
  {
    OwnedLog l = swap_log(1, -1, kPrice0, 1, 0);
    l.data[32 * 2 + 11] = 1;  // bit 160 of the price word
    rows.push_back({"price above uint160", l, PoolEventError::bad_word});
  }
  {
    OwnedLog l = swap_log(1, -1, kPrice0, 1, 0);
    l.data[32 * 3 + 15] = 1;  // bit 128 of the liquidity word
    rows.push_back({"liquidity above uint128", l, PoolEventError::bad_word});
  }
  {
    OwnedLog l = liquidity_log(false, -60, 60, 1);
    l.topics[2] = word_of(u256{1} << 23, abi::Type::uint());  // not a sign-extended int24
    rows.push_back({"tick not an int24", l, PoolEventError::bad_word});
  }
  {
    OwnedLog l = liquidity_log(false, -60, 60, 1);
    l.topics[3] = word_of(abi::Value{kMaxTick + 1}, abi::Type::int_(24));
    rows.push_back({"tick beyond MAX_TICK", l, PoolEventError::bad_word});
  }
  {
    OwnedLog l = swap_log(1, -1, kPrice0, 1, 0);
    l.topics[0] = chain::keccak256("Collect(address,address,int24,int24,uint128,uint128)");
    rows.push_back({"another event", l, PoolEventError::not_a_pool_event});
  }
  rows.push_back({"no topics", OwnedLog{}, PoolEventError::not_a_pool_event});
  for (const Row& r : rows) {
    CAPTURE(r.name);
    const auto got = decode_pool_event(r.log.view());
    REQUIRE(!got.has_value());
    CHECK(got.error() == r.error);
  }

  // Random data and topic counts behind each known topic0: decoded or refused, nothing else.
  std::mt19937_64 rng{14};
  for (const auto& topic0 : pool_event_topics()) {
    for (int i = 0; i < 500; ++i) {
      OwnedLog l;
      l.topics.push_back(topic0);
      for (std::uint64_t t = rng() % 5; t > 0; --t) {
        Hash h{};
        for (auto& b : h) b = static_cast<std::uint8_t>(rng() % 3 == 0 ? rng() : 0);
        l.topics.push_back(h);
      }
      l.data.resize(32 * (rng() % 7));
      for (auto& b : l.data) b = static_cast<std::uint8_t>(rng() % 4 == 0 ? rng() : 0);
      PoolState state;
      state.address = kPool;
      (void)apply_log(state, l.view());
    }
  }
}

TEST_CASE("events update the pool as the pool itself changes", "[uniswap][events]") {
  PoolState p;
  p.address = kPool;
  p.ticks = TickTable{60};
  CHECK(apply_log(p, swap_log(1, -1, kPrice0, 1, 0).view()).error() ==
        UpdateError::not_initialized);
  // Initialize's tick must be the price's.
  CHECK(apply_log(p, initialize_log(kPrice0, 1).view()).error() == UpdateError::inconsistent);
  REQUIRE(apply_log(p, initialize_log(kPrice0, 0).view()).has_value());
  CHECK(apply_log(p, initialize_log(kPrice0, 0).view()).error() ==
        UpdateError::already_initialized);

  // In range: liquidity follows; out of range: only the ticks change.
  REQUIRE(apply_log(p, liquidity_log(true, -120, 60, 1000).view()).has_value());
  REQUIRE(apply_log(p, liquidity_log(true, 60, 180, 500).view()).has_value());
  CHECK(p.liquidity == 1000);
  CHECK(*p.ticks.find(-120) == TickLiquidity{-120, 1000, 1000});
  CHECK(*p.ticks.find(60) == TickLiquidity{60, 1500, -500});
  CHECK(*p.ticks.find(180) == TickLiquidity{180, 500, -500});

  // A position's upper tick is out of range when the pool sits exactly on it.
  REQUIRE(apply_log(p, swap_log(1, -1, get_sqrt_ratio_at_tick(60).value(), 500, 60).view())
              .has_value());
  CHECK(p.tick == 60);
  REQUIRE(apply_log(p, liquidity_log(false, -120, 60, 400).view()).has_value());
  CHECK(p.liquidity == 500);
  CHECK(*p.ticks.find(60) == TickLiquidity{60, 1100, -100});

  // Burning more than a tick holds means the state missed events: nothing changes.
  const PoolState before = p;
  CHECK(apply_log(p, liquidity_log(false, 60, 180, 501).view()).error() ==
        UpdateError::liquidity_mismatch);
  CHECK(p.liquidity == before.liquidity);
  CHECK(*p.ticks.find(180) == TickLiquidity{180, 500, -500});
  CHECK(apply_log(p, liquidity_log(true, 60, 61, 1).view()).error() == UpdateError::inconsistent);
  CHECK(apply_log(p, liquidity_log(true, 60, 60, 1).view()).error() == UpdateError::inconsistent);
  // A Swap whose tick does not fit its price, a log of another pool, a removed log.
  CHECK(apply_log(p, swap_log(1, -1, kPrice0, 1, 5).view()).error() == UpdateError::inconsistent);
  OwnedLog other = swap_log(1, -1, kPrice0, 1, 0);
  other.address = kOwner;
  CHECK(apply_log(p, other.view()).error() == UpdateError::wrong_pool);
  CHECK(apply_log(p, swap_log(1, -1, kPrice0, 1, 0).view(), true).error() == UpdateError::removed);
  // A zero burn only pokes fees.
  REQUIRE(apply_log(p, liquidity_log(false, 60, 180, 0).view()).has_value());
  CHECK(*p.ticks.find(180) == TickLiquidity{180, 500, -500});
}
