#include "dex/uniswap_v3/swap_quote.hpp"

#include <algorithm>

#include "dex/uniswap_v3/liquidity_math.hpp"

namespace dex::uniswap_v3 {
namespace {

tl::expected<SwapQuote, QuoteError> reverts() {
  return tl::unexpected(QuoteError::pool_would_revert);
}

tl::expected<void, QuoteError> check_start(const PoolState& pool, bool zero_for_one,
                                           const u256& amount, const u256& limit) {
  if (amount == 0) return tl::unexpected(QuoteError::zero_amount);
  if (amount > kInt256Max) return tl::unexpected(QuoteError::amount_too_large);
  if (!pool.initialized()) return tl::unexpected(QuoteError::not_initialized);
  const bool limit_ok = zero_for_one ? limit < pool.sqrt_price_x96 && limit > kMinSqrtRatio
                                     : limit > pool.sqrt_price_x96 && limit < kMaxSqrtRatio;
  if (!limit_ok) return tl::unexpected(QuoteError::bad_price_limit);
  return {};
}

}  // namespace

std::string_view describe(QuoteError e) noexcept {
  switch (e) {
    case QuoteError::zero_amount: return "amount is zero";
    case QuoteError::amount_too_large: return "amount does not fit int256";
    case QuoteError::not_initialized: return "pool is not initialized";
    case QuoteError::bad_price_limit: return "price limit on the wrong side of the price";
    case QuoteError::ticks_not_loaded: return "swap leaves the loaded tick range";
    case QuoteError::pool_would_revert: return "the pool's math would revert";
  }
  return "unknown quote error";
}

u256 no_price_limit(bool zero_for_one) noexcept {
  return zero_for_one ? kMinSqrtRatio + 1 : kMaxSqrtRatio - 1;
}

tl::expected<SwapQuote, QuoteError> simulate_swap(const PoolState& pool, bool zero_for_one,
                                                  SwapKind kind, const u256& amount,
                                                  const u256& sqrt_price_limit) {
  if (auto ok = check_start(pool, zero_for_one, amount, sqrt_price_limit); !ok)
    return tl::unexpected(ok.error());
  const bool exact_in = kind == SwapKind::exact_input;
  u256 remaining = amount;  // |amountSpecifiedRemaining|: never changes sign (see SwapMath)
  u256 calculated;          // |amountCalculated|: output so far (exact in), input (exact out)
  SwapQuote q;
  q.sqrt_price_after = pool.sqrt_price_x96;
  q.tick_after = pool.tick;
  q.liquidity_after = pool.liquidity;

  while (remaining != 0 && q.sqrt_price_after != sqrt_price_limit) {
    const u256 step_start = q.sqrt_price_after;
    const auto next = pool.ticks.next_initialized_within_word(q.tick_after, zero_for_one);
    if (!next) return tl::unexpected(QuoteError::ticks_not_loaded);
    // The bitmap knows nothing of the tick range's ends.
    const Tick tick_next = std::clamp(next->tick, kMinTick, kMaxTick);
    const auto price_next = get_sqrt_ratio_at_tick(tick_next);
    if (!price_next) return reverts();
    const bool limit_first =
        zero_for_one ? *price_next < sqrt_price_limit : *price_next > sqrt_price_limit;
    const auto step =
        compute_swap_step(q.sqrt_price_after, limit_first ? sqrt_price_limit : *price_next,
                          q.liquidity_after, remaining, kind, pool.fee);
    if (!step) return reverts();
    q.sqrt_price_after = step->sqrt_price_next;

    const u256 paid = step->amount_in + step->fee_amount;
    q.amount_in += paid;
    q.fee_amount += step->fee_amount;
    q.amount_out += step->amount_out;
    if (exact_in) {
      remaining -= paid;
      calculated += step->amount_out;
    } else {
      remaining -= step->amount_out;
      calculated += paid;
    }
    // The pool keeps amountCalculated in an int256 with checked arithmetic.
    if (calculated > kInt256Max) return reverts();

    if (q.sqrt_price_after == *price_next) {
      if (next->initialized) {
        const TickLiquidity* crossed = pool.ticks.find(tick_next);
        const i256 net = crossed != nullptr ? crossed->liquidity_net : i256{0};
        // Crossing downwards leaves the ranges that start at this tick.
        const auto liquidity = add_delta(q.liquidity_after, zero_for_one ? i256{-net} : net);
        if (!liquidity) return reverts();
        q.liquidity_after = *liquidity;
        ++q.ticks_crossed;
      }
      q.tick_after = zero_for_one ? tick_next - 1 : tick_next;
    } else if (q.sqrt_price_after != step_start) {
      // Still inside the range: the tick follows the price (unless the step did not move it).
      const auto tick = get_tick_at_sqrt_ratio(q.sqrt_price_after);
      if (!tick) return reverts();
      q.tick_after = *tick;
    }
  }
  return q;
}

tl::expected<SwapQuote, QuoteError> quote_exact_input(const PoolState& pool, bool zero_for_one,
                                                      const u256& amount_in,
                                                      const u256& sqrt_price_limit) {
  return simulate_swap(pool, zero_for_one, SwapKind::exact_input, amount_in, sqrt_price_limit);
}

tl::expected<SwapQuote, QuoteError> quote_exact_output(const PoolState& pool, bool zero_for_one,
                                                       const u256& amount_out,
                                                       const u256& sqrt_price_limit) {
  return simulate_swap(pool, zero_for_one, SwapKind::exact_output, amount_out, sqrt_price_limit);
}

void apply_quote(PoolState& pool, const SwapQuote& quote) noexcept {
  pool.sqrt_price_x96 = quote.sqrt_price_after;
  pool.tick = quote.tick_after;
  pool.liquidity = quote.liquidity_after;
}

}  // namespace dex::uniswap_v3
