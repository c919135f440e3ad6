#pragma once
// The Uniswap V3 pool events that move price, tick and liquidity (Initialize, Swap, Mint, Burn),
// decoded strictly: a log with the wrong shape or a word out of its Solidity type's range is an
// error, never a crash or a silently wrong state.
#include <span>
#include <string_view>
#include <variant>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "chain/bytes.hpp"
#include "dex/uniswap_v3/tick_math.hpp"

namespace dex::uniswap_v3 {

struct PoolLog {
  chain::Address address;
  std::span<const chain::Hash> topics;
  chain::BytesView data;
};

struct Initialize {
  u256 sqrt_price_x96;
  Tick tick = 0;
};

struct Swap {
  chain::Address sender;
  chain::Address recipient;
  i256 amount0;  // the pool's balance change: positive in, negative out
  i256 amount1;
  u256 sqrt_price_x96;
  u256 liquidity;
  Tick tick = 0;
};

// Mint and Burn: liquidity added to or removed from [tick_lower, tick_upper).
struct LiquidityChange {
  bool mint = true;
  chain::Address owner;
  Tick tick_lower = 0;
  Tick tick_upper = 0;
  u256 amount;  // liquidity (uint128)
  u256 amount0;
  u256 amount1;
};

using PoolEvent = std::variant<Initialize, Swap, LiquidityChange>;

enum class PoolEventError {
  not_a_pool_event,  // topic0 unknown (Collect, Flash, ...): not an error for the caller
  wrong_topic_count,
  wrong_data_length,
  bad_word,  // dirty high bits, or a value outside its Solidity type
};

[[nodiscard]] std::string_view describe(PoolEventError e) noexcept;

[[nodiscard]] tl::expected<PoolEvent, PoolEventError> decode_pool_event(const PoolLog& log);

// topic0 of Initialize, Swap, Mint and Burn, for log filters.
[[nodiscard]] std::span<const chain::Hash> pool_event_topics();

}  // namespace dex::uniswap_v3
