#include "dex/uniswap_v3/pool_updates.hpp"

#include "dex/uniswap_v3/liquidity_math.hpp"

namespace dex::uniswap_v3 {
namespace {

tl::expected<void, UpdateError> fail(UpdateError e) { return tl::unexpected(e); }

bool price_in_range(const u256& sqrt_price) {
  return sqrt_price >= kMinSqrtRatio && sqrt_price < kMaxSqrtRatio;
}

tl::expected<void, UpdateError> apply_initialize(PoolState& pool, const Initialize& e) {
  if (pool.initialized()) return fail(UpdateError::already_initialized);
  // Initialize's tick is getTickAtSqrtRatio of its price, exactly.
  const auto tick = get_tick_at_sqrt_ratio(e.sqrt_price_x96);
  if (!tick || *tick != e.tick) return fail(UpdateError::inconsistent);
  pool.sqrt_price_x96 = e.sqrt_price_x96;
  pool.tick = e.tick;
  return {};
}

tl::expected<void, UpdateError> apply_swap(PoolState& pool, const Swap& e) {
  if (!pool.initialized()) return fail(UpdateError::not_initialized);
  if (!price_in_range(e.sqrt_price_x96) || !tick_matches_price(e.tick, e.sqrt_price_x96))
    return fail(UpdateError::inconsistent);
  pool.sqrt_price_x96 = e.sqrt_price_x96;
  pool.tick = e.tick;
  pool.liquidity = e.liquidity;
  return {};
}

tl::expected<void, UpdateError> apply_liquidity_change(PoolState& pool, const LiquidityChange& e) {
  if (!pool.initialized()) return fail(UpdateError::not_initialized);
  if (e.tick_lower >= e.tick_upper) return fail(UpdateError::inconsistent);
  // Burning zero liquidity only collects fees: ticks and liquidity do not change.
  if (e.amount == 0) return {};
  const i256 delta = e.mint ? i256{e.amount} : i256{-i256{e.amount}};

  // Worked on copies so that a failure leaves the state as it was.
  TickTable ticks = pool.ticks;
  for (const bool upper : {false, true}) {
    const auto updated = ticks.update(upper ? e.tick_upper : e.tick_lower, delta, upper);
    if (!updated) {
      const bool shape =
          updated.error() == TickError::not_spaced || updated.error() == TickError::out_of_range;
      return fail(shape ? UpdateError::inconsistent : UpdateError::liquidity_mismatch);
    }
  }
  u256 liquidity = pool.liquidity;
  if (pool.tick >= e.tick_lower && pool.tick < e.tick_upper) {
    const auto sum = add_delta(liquidity, delta);
    if (!sum) return fail(UpdateError::liquidity_mismatch);
    liquidity = *sum;
  }
  pool.ticks = std::move(ticks);
  pool.liquidity = liquidity;
  return {};
}

}  // namespace

std::string_view describe(UpdateError e) noexcept {
  switch (e) {
    case UpdateError::wrong_pool: return "log from another address";
    case UpdateError::bad_event: return "malformed pool event";
    case UpdateError::inconsistent: return "event inconsistent with pool rules";
    case UpdateError::liquidity_mismatch: return "liquidity would leave uint128: events missed";
    case UpdateError::not_initialized: return "event before Initialize";
    case UpdateError::already_initialized: return "second Initialize";
    case UpdateError::removed: return "log removed by a reorg";
  }
  return "unknown update error";
}

tl::expected<void, UpdateError> apply_event(PoolState& pool, const PoolEvent& event) {
  if (const auto* e = std::get_if<Initialize>(&event)) return apply_initialize(pool, *e);
  if (const auto* e = std::get_if<Swap>(&event)) return apply_swap(pool, *e);
  return apply_liquidity_change(pool, std::get<LiquidityChange>(event));
}

tl::expected<void, UpdateError> apply_log(PoolState& pool, const PoolLog& log, bool removed) {
  if (log.address != pool.address) return fail(UpdateError::wrong_pool);
  const auto event = decode_pool_event(log);
  if (!event) {
    if (event.error() == PoolEventError::not_a_pool_event) return {};
    return fail(UpdateError::bad_event);
  }
  // A removed log cannot be undone from the log alone: its effect is unknown without the
  // state before it.
  if (removed) return fail(UpdateError::removed);
  return apply_event(pool, *event);
}

}  // namespace dex::uniswap_v3
