#include "dex/uniswap_v3/tick_table.hpp"

#include <algorithm>
#include <climits>

namespace dex::uniswap_v3 {
namespace {

// Integer division rounding towards negative infinity, as the bitmap compresses ticks.
std::int32_t floor_div(std::int32_t a, std::int32_t b) noexcept {
  const std::int32_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

const i256 kInt128Min = -(i256{1} << 127);
const i256 kInt128Max = (i256{1} << 127) - 1;

auto by_tick = [](const TickLiquidity& t, Tick tick) { return t.tick < tick; };

}  // namespace

std::string_view describe(TickError e) noexcept {
  switch (e) {
    case TickError::not_spaced: return "tick is not a multiple of the tick spacing";
    case TickError::out_of_range: return "tick outside [MIN_TICK, MAX_TICK]";
    case TickError::gross_underflow: return "liquidityGross would fall below zero";
    case TickError::net_out_of_range: return "liquidityNet outside int128";
    case TickError::gross_out_of_range: return "liquidityGross outside uint128";
  }
  return "unknown tick error";
}

std::int32_t TickTable::word_of(Tick tick, Tick spacing) noexcept {
  if (spacing <= 0) return 0;
  return floor_div(floor_div(tick, spacing), 256);
}

const TickLiquidity* TickTable::find(Tick tick) const noexcept {
  const auto it = std::lower_bound(ticks_.begin(), ticks_.end(), tick, by_tick);
  return it != ticks_.end() && it->tick == tick ? &*it : nullptr;
}

void TickTable::set_known_words(std::int32_t lo, std::int32_t hi) noexcept {
  word_lo_ = lo;
  word_hi_ = hi;
}

tl::expected<void, TickError> TickTable::check_tick(Tick tick) const noexcept {
  if (tick < kMinTick || tick > kMaxTick) return tl::unexpected(TickError::out_of_range);
  if (spacing_ <= 0 || tick % spacing_ != 0) return tl::unexpected(TickError::not_spaced);
  return {};
}

tl::expected<void, TickError> TickTable::set(const TickLiquidity& t) {
  if (auto ok = check_tick(t.tick); !ok) return ok;
  if (t.liquidity_gross > kU128Max) return tl::unexpected(TickError::gross_out_of_range);
  if (t.liquidity_net < kInt128Min || t.liquidity_net > kInt128Max)
    return tl::unexpected(TickError::net_out_of_range);
  const auto it = std::lower_bound(ticks_.begin(), ticks_.end(), t.tick, by_tick);
  const bool present = it != ticks_.end() && it->tick == t.tick;
  if (t.liquidity_gross == 0) {
    if (present) ticks_.erase(it);
  } else if (present) {
    *it = t;
  } else {
    ticks_.insert(it, t);
  }
  return {};
}

tl::expected<void, TickError> TickTable::update(Tick tick, const i256& liquidity_delta,
                                                bool upper) {
  if (auto ok = check_tick(tick); !ok) return ok;
  TickLiquidity next{tick, 0, 0};
  if (const auto* current = find(tick)) next = *current;
  const i256 gross = i256{next.liquidity_gross} + liquidity_delta;
  if (gross < 0) return tl::unexpected(TickError::gross_underflow);
  if (gross > i256{kU128Max}) return tl::unexpected(TickError::gross_out_of_range);
  next.liquidity_gross = u256{gross};
  // The lower bound adds liquidity when crossed upwards, the upper bound removes it.
  next.liquidity_net = upper ? i256{next.liquidity_net - liquidity_delta}
                             : i256{next.liquidity_net + liquidity_delta};
  if (next.liquidity_net < kInt128Min || next.liquidity_net > kInt128Max)
    return tl::unexpected(TickError::net_out_of_range);
  // A tick whose last position left is cleared, as Tick.clear deletes it.
  if (next.liquidity_gross == 0) next.liquidity_net = 0;
  return set(next);
}

std::optional<NextTick> TickTable::next_initialized_within_word(Tick tick,
                                                                bool lte) const noexcept {
  if (spacing_ <= 0) return std::nullopt;  // no pool has one: nothing can be known
  const std::int32_t compressed = floor_div(tick, spacing_);
  if (lte) {
    // Searches this tick's word from `compressed` down to the word's first bit.
    const std::int32_t word = floor_div(compressed, 256);
    if (!knows_word(word)) return std::nullopt;
    const Tick lowest = word * 256 * spacing_;
    const auto it = std::upper_bound(ticks_.begin(), ticks_.end(), compressed * spacing_,
                                     [](Tick v, const TickLiquidity& t) { return v < t.tick; });
    if (it != ticks_.begin() && std::prev(it)->tick >= lowest)
      return NextTick{std::prev(it)->tick, true};
    return NextTick{lowest, false};
  }
  // Searches from the next compressed tick up to the last bit of that tick's word.
  const std::int32_t start = compressed + 1;
  const std::int32_t word = floor_div(start, 256);
  if (!knows_word(word)) return std::nullopt;
  const Tick highest = (word * 256 + 255) * spacing_;
  const auto it = std::lower_bound(ticks_.begin(), ticks_.end(), start * spacing_, by_tick);
  if (it != ticks_.end() && it->tick <= highest) return NextTick{it->tick, true};
  return NextTick{highest, false};
}

}  // namespace dex::uniswap_v3
