#pragma once
// A swap quoted from local pool state, walking initialized ticks exactly as UniswapV3Pool.swap
// does: step by step to the next initialized tick or bitmap word edge, fee taken from the input,
// liquidity changed at every initialized tick crossed, stopping at the price limit.
#include <cstdint>
#include <string_view>

#include "dex/uniswap_v3/pool_state.hpp"
#include "dex/uniswap_v3/swap_math.hpp"

namespace dex::uniswap_v3 {

enum class QuoteError {
  zero_amount,        // 'AS'
  amount_too_large,   // above int256's range, as the pool's amountSpecified is
  not_initialized,    // 'LOK' before Initialize
  bad_price_limit,    // 'SPL': on the wrong side of the price, or beyond the tick range
  ticks_not_loaded,   // the walk needs a bitmap word the local state does not hold
  pool_would_revert,  // the pool's own math fails (overflow, liquidity underflow)
};

[[nodiscard]] std::string_view describe(QuoteError e) noexcept;

struct SwapQuote {
  u256 amount_in;   // paid by the swapper, fee included
  u256 amount_out;  // received by the swapper
  u256 fee_amount;  // part of amount_in
  u256 sqrt_price_after;
  Tick tick_after = 0;
  u256 liquidity_after;
  std::uint32_t ticks_crossed = 0;  // initialized ticks crossed
};

// The QuoterV2 convention for "no limit": just inside the price range in the swap's direction.
[[nodiscard]] u256 no_price_limit(bool zero_for_one) noexcept;

// `amount_in` of token0 (zero_for_one) or token1 in; stops early at `sqrt_price_limit`, in
// which case amount_in is what was used.
[[nodiscard]] tl::expected<SwapQuote, QuoteError> quote_exact_input(const PoolState& pool,
                                                                    bool zero_for_one,
                                                                    const u256& amount_in,
                                                                    const u256& sqrt_price_limit);
// `amount_out` of the other token out; stops early at `sqrt_price_limit`, in which case
// amount_out is what the pool gives.
[[nodiscard]] tl::expected<SwapQuote, QuoteError> quote_exact_output(const PoolState& pool,
                                                                     bool zero_for_one,
                                                                     const u256& amount_out,
                                                                     const u256& sqrt_price_limit);

// The same walk for either kind: the swap the pool would run for amountSpecified.
[[nodiscard]] tl::expected<SwapQuote, QuoteError> simulate_swap(const PoolState& pool,
                                                                bool zero_for_one, SwapKind kind,
                                                                const u256& amount,
                                                                const u256& sqrt_price_limit);

// The pool as the swap leaves it (price, tick, liquidity), for quoting what comes after.
void apply_quote(PoolState& pool, const SwapQuote& quote) noexcept;

}  // namespace dex::uniswap_v3
