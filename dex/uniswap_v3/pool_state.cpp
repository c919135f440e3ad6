#include "dex/uniswap_v3/pool_state.hpp"

namespace dex::uniswap_v3 {

bool tick_matches_price(Tick tick, const u256& sqrt_price_x96) noexcept {
  const auto of_price = get_tick_at_sqrt_ratio(sqrt_price_x96);
  if (!of_price) return false;
  if (tick == *of_price) return true;
  const auto at = get_sqrt_ratio_at_tick(*of_price);
  return tick == *of_price - 1 && at && *at == sqrt_price_x96;
}

}  // namespace dex::uniswap_v3
