#include "dex/uniswap_v3/liquidity_math.hpp"

namespace dex::uniswap_v3 {

MathResult<u256> add_delta(const u256& liquidity, const i256& delta) noexcept {
  if (delta < 0) {
    const u256 removed{i256{-delta}};
    if (removed > liquidity) return tl::unexpected(MathError::liquidity_underflow);
    return liquidity - removed;
  }
  const u256 added{delta};
  if (added > kU128Max || liquidity > kU128Max - added)
    return tl::unexpected(MathError::liquidity_overflow);
  return liquidity + added;
}

}  // namespace dex::uniswap_v3
