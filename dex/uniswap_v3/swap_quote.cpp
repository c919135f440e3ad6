#include "dex/uniswap_v3/swap_quote.hpp"

#include <algorithm>

#include "dex/uniswap_v3/liquidity_math.hpp"

namespace dex::uniswap_v3 {
namespace {

tl::expected<SwapQuote, QuoteError> reverts() {
  return tl::unexpected(QuoteError::pool_would_revert);
}

// Where the next step heads: the next initialized tick within the current bitmap word, or the
// word's edge, as the pool's bitmap answers.
struct Target {
  Tick tick = 0;
  bool initialized = false;
  u256 price;
};

tl::expected<Target, QuoteError> next_target(const PoolState& pool, Tick tick, bool zero_for_one) {
  const auto next = pool.ticks.next_initialized_within_word(tick, zero_for_one);
  if (!next) return tl::unexpected(QuoteError::ticks_not_loaded);
  // The bitmap knows nothing of the tick range's ends.
  const Tick clamped = std::clamp(next->tick, kMinTick, kMaxTick);
  const auto price = get_sqrt_ratio_at_tick(clamped);
  if (!price) return tl::unexpected(QuoteError::pool_would_revert);
  return Target{clamped, next->initialized, *price};
}

// The swap's running state, as UniswapV3Pool.swap's SwapState: amounts as magnitudes, since
// amountSpecifiedRemaining never changes sign (see SwapMath) and amountCalculated is one-signed.
struct Walk {
  Walk(const PoolState& p, bool down, SwapKind k, const u256& amount)
      : pool{p}, zero_for_one{down}, exact_in{k == SwapKind::exact_input}, remaining{amount} {
    quote.sqrt_price_after = p.sqrt_price_x96;
    quote.tick_after = p.tick;
    quote.liquidity_after = p.liquidity;
  }

  // Books one step's amounts.
  tl::expected<void, QuoteError> add(const SwapStep& step) {
    quote.sqrt_price_after = step.sqrt_price_next;
    const u256 paid = step.amount_in + step.fee_amount;
    quote.amount_in += paid;
    quote.fee_amount += step.fee_amount;
    quote.amount_out += step.amount_out;
    remaining -= exact_in ? paid : step.amount_out;
    calculated += exact_in ? step.amount_out : paid;
    // The pool keeps amountCalculated in an int256 with checked arithmetic.
    if (calculated > kInt256Max) return tl::unexpected(QuoteError::pool_would_revert);
    return {};
  }

  // The tick after a step: across the target (changing liquidity if it is initialized) when the
  // step reached it, else the price's own tick.
  tl::expected<void, QuoteError> settle_tick(const Target& target, const u256& step_start) {
    if (quote.sqrt_price_after == target.price) {
      if (target.initialized) {
        const TickLiquidity* crossed = pool.ticks.find(target.tick);
        const i256 net = crossed != nullptr ? crossed->liquidity_net : i256{0};
        // Crossing downwards leaves the ranges that start at this tick.
        const auto liquidity = add_delta(quote.liquidity_after, zero_for_one ? i256{-net} : net);
        if (!liquidity) return tl::unexpected(QuoteError::pool_would_revert);
        quote.liquidity_after = *liquidity;
        ++quote.ticks_crossed;
      }
      quote.tick_after = zero_for_one ? target.tick - 1 : target.tick;
    } else if (quote.sqrt_price_after != step_start) {
      // A step that did not move the price (on a lower tick boundary) keeps the tick.
      const auto tick = get_tick_at_sqrt_ratio(quote.sqrt_price_after);
      if (!tick) return tl::unexpected(QuoteError::pool_would_revert);
      quote.tick_after = *tick;
    }
    return {};
  }

  const PoolState& pool;
  bool zero_for_one;
  bool exact_in;
  u256 remaining;   // |amountSpecifiedRemaining|
  u256 calculated;  // |amountCalculated|: output so far (exact in), input (exact out)
  SwapQuote quote;
};

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
  Walk walk{pool, zero_for_one, kind, amount};
  while (walk.remaining != 0 && walk.quote.sqrt_price_after != sqrt_price_limit) {
    const u256 step_start = walk.quote.sqrt_price_after;
    const auto target = next_target(pool, walk.quote.tick_after, zero_for_one);
    if (!target) return tl::unexpected(target.error());
    const bool limit_first =
        zero_for_one ? target->price < sqrt_price_limit : target->price > sqrt_price_limit;
    const auto step = compute_swap_step(step_start, limit_first ? sqrt_price_limit : target->price,
                                        walk.quote.liquidity_after, walk.remaining, kind, pool.fee);
    if (!step) return reverts();
    if (auto ok = walk.add(*step); !ok) return tl::unexpected(ok.error());
    if (auto ok = walk.settle_tick(*target, step_start); !ok) return tl::unexpected(ok.error());
  }
  return walk.quote;
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
