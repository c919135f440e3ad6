#pragma once
// For one account, the price of each asset it holds at which its health factor crosses 1, the
// other prices fixed. Floating point: for ranking and explaining; exact math decides actions.
#include <cstdint>
#include <string>
#include <vector>

#include "protocols/aave_v3/market.hpp"

namespace protocols::aave_v3 {

struct LiquidationPrice {
  std::uint16_t reserve = 0;
  double price = 0;  // base currency units (1e8 = $1 on Ethereum)
};

[[nodiscard]] std::vector<LiquidationPrice> liquidation_prices(const aave_v3::Market& market,
                                                               const aave_v3::Account& account,
                                                               std::uint64_t timestamp);

}  // namespace protocols::aave_v3
