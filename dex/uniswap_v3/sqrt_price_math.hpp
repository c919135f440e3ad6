#pragma once
// SqrtPriceMath of v3-core: the next sqrt price after an amount goes in or out, and the token
// amounts between two prices, each rounded the way the pool rounds it (always in the pool's
// favour).
#include "dex/uniswap_v3/math_error.hpp"

namespace dex::uniswap_v3 {

// Prices are Q64.96 (uint160), liquidity uint128; callers keep them in range.

// Price after adding (`add`) or removing `amount` of token0; rounded up.
[[nodiscard]] MathResult<u256> get_next_sqrt_price_from_amount0_rounding_up(const u256& sqrt_price,
                                                                            const u256& liquidity,
                                                                            const u256& amount,
                                                                            bool add) noexcept;
// Price after adding (`add`) or removing `amount` of token1; rounded down.
[[nodiscard]] MathResult<u256> get_next_sqrt_price_from_amount1_rounding_down(
    const u256& sqrt_price, const u256& liquidity, const u256& amount, bool add) noexcept;

// Price after `amount_in` of the input token, never past the exact target.
[[nodiscard]] MathResult<u256> get_next_sqrt_price_from_input(const u256& sqrt_price,
                                                              const u256& liquidity,
                                                              const u256& amount_in,
                                                              bool zero_for_one) noexcept;
// Price after `amount_out` of the output token, always at least to the exact target.
[[nodiscard]] MathResult<u256> get_next_sqrt_price_from_output(const u256& sqrt_price,
                                                               const u256& liquidity,
                                                               const u256& amount_out,
                                                               bool zero_for_one) noexcept;

// token0 between two prices (either order) for `liquidity`.
[[nodiscard]] MathResult<u256> get_amount0_delta(const u256& sqrt_a, const u256& sqrt_b,
                                                 const u256& liquidity, bool round_up) noexcept;
// token1 between two prices (either order) for `liquidity`.
[[nodiscard]] MathResult<u256> get_amount1_delta(const u256& sqrt_a, const u256& sqrt_b,
                                                 const u256& liquidity, bool round_up) noexcept;

// Signed variants for a liquidity change (int128): added liquidity owes the rounded-up amount,
// removed liquidity is paid the rounded-down amount, negated.
[[nodiscard]] MathResult<i256> get_amount0_delta_signed(const u256& sqrt_a, const u256& sqrt_b,
                                                        const i256& liquidity) noexcept;
[[nodiscard]] MathResult<i256> get_amount1_delta_signed(const u256& sqrt_a, const u256& sqrt_b,
                                                        const i256& liquidity) noexcept;

}  // namespace dex::uniswap_v3
