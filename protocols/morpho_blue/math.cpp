#include "protocols/morpho_blue/math.hpp"

namespace protocols::morpho_blue {
namespace {

const chain::u512 kU256Limit = chain::u512{1} << 256;

}  // namespace

std::optional<u256> checked_mul_div_down(const u256& x, const u256& y, const u256& d) {
  if (d == 0) return std::nullopt;
  const chain::u512 product = chain::u512{x} * chain::u512{y};
  if (product >= kU256Limit) return std::nullopt;
  return static_cast<u256>(product / chain::u512{d});
}

std::optional<u256> checked_mul_div_up(const u256& x, const u256& y, const u256& d) {
  if (d == 0) return std::nullopt;
  const chain::u512 sum = chain::u512{x} * chain::u512{y} + chain::u512{d} - 1;
  if (sum >= kU256Limit) return std::nullopt;
  return static_cast<u256>(sum / chain::u512{d});
}

u256 mul_div_down(const u256& x, const u256& y, const u256& d) {
  if (d == 0) return 0;  // callers never pass 0; no crash if one does
  return static_cast<u256>(chain::u512{x} * chain::u512{y} / chain::u512{d});
}

u256 mul_div_up(const u256& x, const u256& y, const u256& d) {
  if (d == 0) return 0;
  return static_cast<u256>((chain::u512{x} * chain::u512{y} + chain::u512{d} - 1) / chain::u512{d});
}

u256 w_taylor_compounded(const u256& x, const u256& n) {
  const u256 first = x * n;
  const u256 second = mul_div_down(first, first, 2 * kWad);
  const u256 third = mul_div_down(second, first, 3 * kWad);
  return first + second + third;
}

u256 to_shares_down(const u256& assets, const u256& total_assets, const u256& total_shares) {
  return mul_div_down(assets, total_shares + kVirtualShares, total_assets + kVirtualAssets);
}

u256 to_shares_up(const u256& assets, const u256& total_assets, const u256& total_shares) {
  return mul_div_up(assets, total_shares + kVirtualShares, total_assets + kVirtualAssets);
}

u256 to_assets_down(const u256& shares, const u256& total_assets, const u256& total_shares) {
  return mul_div_down(shares, total_assets + kVirtualAssets, total_shares + kVirtualShares);
}

u256 to_assets_up(const u256& shares, const u256& total_assets, const u256& total_shares) {
  return mul_div_up(shares, total_assets + kVirtualAssets, total_shares + kVirtualShares);
}

u256 liquidation_incentive_factor(const u256& lltv) {
  if (lltv >= kWad) return kWad;  // no such market can exist; never divide by zero
  const u256 factor = w_div_down(kWad, kWad - w_mul_down(kLiquidationCursor, kWad - lltv));
  return factor < kMaxLiquidationIncentiveFactor ? factor : kMaxLiquidationIncentiveFactor;
}

}  // namespace protocols::morpho_blue
