#pragma once
// TickMath of v3-core: sqrt(1.0001^tick) * 2^96 and back, bit for bit as the contract computes
// them (its fixed-point approximations included), so that tick boundaries land on the same wei.
#include <cstdint>

#include "dex/uniswap_v3/math_error.hpp"

namespace dex::uniswap_v3 {

using Tick = std::int32_t;  // int24 on chain

inline constexpr Tick kMinTick = -887272;
inline constexpr Tick kMaxTick = 887272;
// getSqrtRatioAtTick(kMinTick) and getSqrtRatioAtTick(kMaxTick).
inline const u256 kMinSqrtRatio{4295128739ULL};
inline const u256 kMaxSqrtRatio = (u256{0xfffd8963ULL} << 128) |
                                  (u256{0xefd1fc6a50648849ULL} << 64) | u256{0x5d951d5263988d26ULL};

// The sqrt price of `tick` as a Q64.96; tick_out_of_range beyond [kMinTick, kMaxTick].
[[nodiscard]] MathResult<u256> get_sqrt_ratio_at_tick(Tick tick) noexcept;

// The greatest tick whose sqrt price is <= `sqrt_price_x96`; price_out_of_range outside
// [kMinSqrtRatio, kMaxSqrtRatio).
[[nodiscard]] MathResult<Tick> get_tick_at_sqrt_ratio(const u256& sqrt_price_x96) noexcept;

}  // namespace dex::uniswap_v3
