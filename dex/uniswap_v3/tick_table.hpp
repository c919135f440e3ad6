#pragma once
// A pool's initialized ticks, sorted, standing in for the on-chain tick bitmap and tick mapping:
// the swap walk asks it the same question the pool asks its bitmap (the next initialized tick
// within one 256-bit word), so steps end where the pool's steps end and round the same way.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "dex/uniswap_v3/tick_math.hpp"

namespace dex::uniswap_v3 {

struct TickLiquidity {
  Tick tick = 0;
  u256 liquidity_gross;  // uint128: non-zero exactly when the tick is initialized
  i256 liquidity_net;    // int128: added when crossed upwards, removed when crossed downwards
  friend bool operator==(const TickLiquidity&, const TickLiquidity&) = default;
};

struct NextTick {
  Tick tick = 0;
  bool initialized = false;  // false: the edge of the word, reached without an initialized tick
};

enum class TickError {
  not_spaced,         // a tick that is not a multiple of the spacing
  out_of_range,       // beyond [kMinTick, kMaxTick]
  gross_underflow,    // removing more liquidity than the tick holds: the state missed an event
  net_out_of_range,   // liquidityNet beyond int128
  gross_out_of_range  // liquidityGross beyond uint128
};

class TickTable {
 public:
  // Knows every bitmap word until told otherwise (set_known_words), as state built from a pool's
  // first event does.
  explicit TickTable(Tick spacing = 1) noexcept : spacing_{spacing} {}

  [[nodiscard]] Tick spacing() const noexcept { return spacing_; }
  [[nodiscard]] std::span<const TickLiquidity> ticks() const noexcept { return ticks_; }
  [[nodiscard]] const TickLiquidity* find(Tick tick) const noexcept;

  // Limits what the table claims to know to the words in [lo, hi] (a partial load).
  void set_known_words(std::int32_t lo, std::int32_t hi) noexcept;
  [[nodiscard]] bool knows_word(std::int32_t word) const noexcept {
    return word >= word_lo_ && word <= word_hi_;
  }

  // Replaces or inserts a tick as read from the chain; a zero gross removes it.
  [[nodiscard]] tl::expected<void, TickError> set(const TickLiquidity& t);
  // Adds a position's liquidity change at one of its bounds, as Tick.update does.
  [[nodiscard]] tl::expected<void, TickError> update(Tick tick, const i256& liquidity_delta,
                                                     bool upper);

  // nullopt when the word it would search is not known.
  [[nodiscard]] std::optional<NextTick> next_initialized_within_word(Tick tick,
                                                                     bool lte) const noexcept;

  // The word of the bitmap (int16) holding `tick` compressed by `spacing`.
  [[nodiscard]] static std::int32_t word_of(Tick tick, Tick spacing) noexcept;

 private:
  [[nodiscard]] tl::expected<void, TickError> check_tick(Tick tick) const noexcept;

  Tick spacing_;
  std::vector<TickLiquidity> ticks_;  // sorted by tick, gross > 0 in every entry
  std::int32_t word_lo_ = INT32_MIN;
  std::int32_t word_hi_ = INT32_MAX;
};

[[nodiscard]] std::string_view describe(TickError e) noexcept;

}  // namespace dex::uniswap_v3
