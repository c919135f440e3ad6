#include "dex/uniswap_v3/swap_math.hpp"

#include "dex/uniswap_v3/full_math.hpp"
#include "dex/uniswap_v3/sqrt_price_math.hpp"

namespace dex::uniswap_v3 {
namespace {

// The input needed to move from `from` to `to` (rounded up) and the output it gives (rounded
// down), for the direction the two prices imply.
MathResult<u256> input_between(const u256& from, const u256& to, const u256& liquidity,
                               bool zero_for_one) noexcept {
  return zero_for_one ? get_amount0_delta(to, from, liquidity, true)
                      : get_amount1_delta(from, to, liquidity, true);
}

MathResult<u256> output_between(const u256& from, const u256& to, const u256& liquidity,
                                bool zero_for_one) noexcept {
  return zero_for_one ? get_amount1_delta(to, from, liquidity, false)
                      : get_amount0_delta(from, to, liquidity, false);
}

}  // namespace

MathResult<SwapStep> compute_swap_step(const u256& sqrt_price_current,
                                       const u256& sqrt_price_target, const u256& liquidity,
                                       const u256& amount_remaining, SwapKind kind,
                                       std::uint32_t fee_pips) noexcept {
  if (fee_pips >= kFeeDenominator) return tl::unexpected(MathError::overflow);
  const bool zero_for_one = sqrt_price_current >= sqrt_price_target;
  const bool exact_in = kind == SwapKind::exact_input;
  const u256 fee{fee_pips};
  const u256 fee_complement{kFeeDenominator - fee_pips};
  SwapStep step;

  // Can the whole range to the target be swapped? Then the step ends on the target exactly.
  if (exact_in) {
    const auto less_fee = mul_div(amount_remaining, fee_complement, u256{kFeeDenominator});
    if (!less_fee) return tl::unexpected(less_fee.error());
    const auto in = input_between(sqrt_price_current, sqrt_price_target, liquidity, zero_for_one);
    if (!in) return tl::unexpected(in.error());
    step.amount_in = *in;
    if (*less_fee >= *in) {
      step.sqrt_price_next = sqrt_price_target;
    } else {
      const auto next =
          get_next_sqrt_price_from_input(sqrt_price_current, liquidity, *less_fee, zero_for_one);
      if (!next) return tl::unexpected(next.error());
      step.sqrt_price_next = *next;
    }
  } else {
    const auto out = output_between(sqrt_price_current, sqrt_price_target, liquidity, zero_for_one);
    if (!out) return tl::unexpected(out.error());
    step.amount_out = *out;
    if (amount_remaining >= *out) {
      step.sqrt_price_next = sqrt_price_target;
    } else {
      const auto next = get_next_sqrt_price_from_output(sqrt_price_current, liquidity,
                                                        amount_remaining, zero_for_one);
      if (!next) return tl::unexpected(next.error());
      step.sqrt_price_next = *next;
    }
  }

  // Amounts for the range actually swapped; the ones computed for a reached target are reused.
  const bool reached = sqrt_price_target == step.sqrt_price_next;
  if (!(reached && exact_in)) {
    const auto in =
        input_between(sqrt_price_current, step.sqrt_price_next, liquidity, zero_for_one);
    if (!in) return tl::unexpected(in.error());
    step.amount_in = *in;
  }
  if (!(reached && !exact_in)) {
    const auto out =
        output_between(sqrt_price_current, step.sqrt_price_next, liquidity, zero_for_one);
    if (!out) return tl::unexpected(out.error());
    step.amount_out = *out;
  }
  // Rounding may give a wei more than asked for; the pool never pays out more than asked.
  if (!exact_in && step.amount_out > amount_remaining) step.amount_out = amount_remaining;

  if (exact_in && !reached) {
    // The target was not reached, so the whole remaining input is spent: the rest is fee.
    step.fee_amount = amount_remaining - step.amount_in;
  } else {
    const auto fee_amount = mul_div_rounding_up(step.amount_in, fee, fee_complement);
    if (!fee_amount) return tl::unexpected(fee_amount.error());
    step.fee_amount = *fee_amount;
  }
  return step;
}

}  // namespace dex::uniswap_v3
