#include "dex/uniswap_v3/pool_events.hpp"

#include <algorithm>
#include <array>

#include "chain/keccak.hpp"

namespace dex::uniswap_v3 {
namespace {

using chain::Hash;

constexpr std::size_t kWord = 32;

const std::array<Hash, 4>& topics() {
  static const std::array<Hash, 4> t{
      chain::keccak256("Initialize(uint160,int24)"),
      chain::keccak256("Swap(address,address,int256,int256,uint160,uint128,int24)"),
      chain::keccak256("Mint(address,address,int24,int24,uint128,uint256,uint256)"),
      chain::keccak256("Burn(address,int24,int24,uint128,uint256,uint256)")};
  return t;
}

tl::expected<PoolEvent, PoolEventError> bad() { return tl::unexpected(PoolEventError::bad_word); }

u256 as_u256(chain::BytesView word) { return *chain::from_be(word); }

// Words of a log (data words first, then topics) read as their Solidity types.
class Words {
 public:
  explicit Words(const PoolLog& log) : log_{log} {}

  [[nodiscard]] chain::BytesView data(std::size_t i) const {
    return log_.data.subspan(i * kWord, kWord);
  }
  [[nodiscard]] chain::BytesView topic(std::size_t i) const { return log_.topics[i]; }

  // uintN: the bits above N must be zero.
  [[nodiscard]] static bool uint_n(chain::BytesView w, unsigned bits, u256& out) {
    out = as_u256(w);
    return bits == 256 || (out >> bits) == 0;
  }
  // intN: the bits above N must copy the sign bit.
  [[nodiscard]] static bool int_n(chain::BytesView w, unsigned bits, i256& out) {
    const u256 v = as_u256(w);
    const bool negative = (v >> 255) != 0;
    if (bits < 256) {
      const u256 high = v >> (bits - 1);  // the sign bit and everything above it
      const u256 all_ones = chain::kU256Max >> (bits - 1);
      if (high != 0 && high != all_ones) return false;
    }
    out = negative ? i256{-i256{u256{~v}}} - 1 : i256{v};
    return true;
  }
  [[nodiscard]] static bool tick(chain::BytesView w, Tick& out) {
    i256 v;
    if (!int_n(w, 24, v) || v < kMinTick || v > kMaxTick) return false;
    out = static_cast<Tick>(v);
    return true;
  }
  [[nodiscard]] static bool address(chain::BytesView w, chain::Address& out) {
    if (!std::all_of(w.begin(), w.begin() + 12, [](std::uint8_t b) { return b == 0; }))
      return false;
    std::copy(w.begin() + 12, w.end(), out.bytes.begin());
    return true;
  }

 private:
  const PoolLog& log_;
};

tl::expected<PoolEvent, PoolEventError> decode_initialize(const Words& w) {
  Initialize e;
  if (!Words::uint_n(w.data(0), 160, e.sqrt_price_x96) || !Words::tick(w.data(1), e.tick))
    return bad();
  return e;
}

tl::expected<PoolEvent, PoolEventError> decode_swap(const Words& w) {
  Swap e;
  if (!Words::address(w.topic(1), e.sender) || !Words::address(w.topic(2), e.recipient) ||
      !Words::int_n(w.data(0), 256, e.amount0) || !Words::int_n(w.data(1), 256, e.amount1) ||
      !Words::uint_n(w.data(2), 160, e.sqrt_price_x96) ||
      !Words::uint_n(w.data(3), 128, e.liquidity) || !Words::tick(w.data(4), e.tick))
    return bad();
  return e;
}

// Mint(address sender, address indexed owner, int24 indexed tickLower, int24 indexed tickUpper,
//      uint128 amount, uint256 amount0, uint256 amount1)
tl::expected<PoolEvent, PoolEventError> decode_mint(const Words& w) {
  LiquidityChange e;
  chain::Address sender;
  if (!Words::address(w.data(0), sender) || !Words::address(w.topic(1), e.owner) ||
      !Words::tick(w.topic(2), e.tick_lower) || !Words::tick(w.topic(3), e.tick_upper) ||
      !Words::uint_n(w.data(1), 128, e.amount) || !Words::uint_n(w.data(2), 256, e.amount0) ||
      !Words::uint_n(w.data(3), 256, e.amount1))
    return bad();
  return e;
}

// Burn(address indexed owner, int24 indexed tickLower, int24 indexed tickUpper, uint128 amount,
//      uint256 amount0, uint256 amount1)
tl::expected<PoolEvent, PoolEventError> decode_burn(const Words& w) {
  LiquidityChange e;
  e.mint = false;
  if (!Words::address(w.topic(1), e.owner) || !Words::tick(w.topic(2), e.tick_lower) ||
      !Words::tick(w.topic(3), e.tick_upper) || !Words::uint_n(w.data(0), 128, e.amount) ||
      !Words::uint_n(w.data(1), 256, e.amount0) || !Words::uint_n(w.data(2), 256, e.amount1))
    return bad();
  return e;
}

struct Shape {
  std::size_t topics;  // including topic0
  std::size_t words;
  tl::expected<PoolEvent, PoolEventError> (*decode)(const Words&);
};

constexpr std::array<Shape, 4> kShapes{{
    {1, 2, decode_initialize},
    {3, 5, decode_swap},
    {4, 4, decode_mint},
    {4, 3, decode_burn},
}};

}  // namespace

std::string_view describe(PoolEventError e) noexcept {
  switch (e) {
    case PoolEventError::not_a_pool_event: return "not a Uniswap V3 pool event";
    case PoolEventError::wrong_topic_count: return "wrong number of topics";
    case PoolEventError::wrong_data_length: return "wrong data length";
    case PoolEventError::bad_word: return "a word outside its type's range";
  }
  return "unknown pool event error";
}

tl::expected<PoolEvent, PoolEventError> decode_pool_event(const PoolLog& log) {
  if (log.topics.empty()) return tl::unexpected(PoolEventError::not_a_pool_event);
  const auto& known = topics();
  const auto it = std::find(known.begin(), known.end(), log.topics[0]);
  if (it == known.end()) return tl::unexpected(PoolEventError::not_a_pool_event);
  const Shape& shape = kShapes[static_cast<std::size_t>(it - known.begin())];
  if (log.topics.size() != shape.topics) return tl::unexpected(PoolEventError::wrong_topic_count);
  if (log.data.size() != shape.words * kWord)
    return tl::unexpected(PoolEventError::wrong_data_length);
  return shape.decode(Words{log});
}

std::span<const chain::Hash> pool_event_topics() { return topics(); }

}  // namespace dex::uniswap_v3
