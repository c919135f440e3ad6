#pragma once
// SwapMath.computeSwapStep of v3-core: one step of a swap within a single liquidity range, from
// the current price towards a target (the next initialized tick, a bitmap word's edge, or the
// price limit), taking the fee from the input.
#include <cstdint>

#include "dex/uniswap_v3/math_error.hpp"

namespace dex::uniswap_v3 {

inline constexpr std::uint32_t kFeeDenominator = 1'000'000;  // fees are in pips (1e-6)

// The contract's int256 amountRemaining as its sign and magnitude: exact input is
// amountRemaining >= 0, exact output the magnitude of a negative one.
enum class SwapKind { exact_input, exact_output };

struct SwapStep {
  u256 sqrt_price_next;
  u256 amount_in;  // without the fee
  u256 amount_out;
  u256 fee_amount;  // taken from the input on top of amount_in
};

// fee_pips must be below kFeeDenominator.
[[nodiscard]] MathResult<SwapStep> compute_swap_step(const u256& sqrt_price_current,
                                                     const u256& sqrt_price_target,
                                                     const u256& liquidity,
                                                     const u256& amount_remaining, SwapKind kind,
                                                     std::uint32_t fee_pips) noexcept;

}  // namespace dex::uniswap_v3
