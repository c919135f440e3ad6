#pragma once
// Keeps a PoolState current from the pool's own events: Initialize and Swap set price, tick and
// liquidity from the event; Mint and Burn change liquidityNet at the position's bounds and the
// in-range liquidity, as UniswapV3Pool._modifyPosition does. An event that does not fit the state
// leaves the state untouched and says why: the caller reloads the pool from chain.
#include <string_view>

#include "dex/uniswap_v3/pool_events.hpp"
#include "dex/uniswap_v3/pool_state.hpp"

namespace dex::uniswap_v3 {

enum class UpdateError {
  wrong_pool,           // the log came from another address
  bad_event,            // decode failed (see decode_pool_event)
  inconsistent,         // tick and price disagree, or bounds are not ordered/spaced
  liquidity_mismatch,   // would take liquidity below zero or above uint128: state missed events
  not_initialized,      // Swap, Mint or Burn before Initialize
  already_initialized,  // a second Initialize
  removed,              // a log of a block that left the chain: reload
};

[[nodiscard]] std::string_view describe(UpdateError e) noexcept;

[[nodiscard]] tl::expected<void, UpdateError> apply_event(PoolState& pool, const PoolEvent& event);

// Decodes and applies one log; logs of other events (Collect, Flash, ...) are ignored.
[[nodiscard]] tl::expected<void, UpdateError> apply_log(PoolState& pool, const PoolLog& log,
                                                        bool removed = false);

}  // namespace dex::uniswap_v3
