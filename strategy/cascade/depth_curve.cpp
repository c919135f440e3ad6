#include "strategy/cascade/depth_curve.hpp"

#include <cmath>
#include <cstdio>

#include "strategy/cascade/simulation.hpp"

namespace strategy::cascade {

DepthCurveExchange::DepthCurveExchange(std::vector<AssetInfo> assets, chain::u256 base_unit,
                                       std::map<AssetId, double> percent_per_million)
    : assets_{std::move(assets)},
      base_unit_{std::move(base_unit)},
      percent_per_million_{std::move(percent_per_million)} {}

std::unique_ptr<Exchange> DepthCurveExchange::clone() const {
  return std::make_unique<DepthCurveExchange>(assets_, base_unit_, percent_per_million_);
}

tl::expected<void, std::string> DepthCurveExchange::follow(std::span<const chain::u256>) {
  return {};  // a curve has no state of its own to arbitrage
}

tl::expected<SaleOutcome, std::string> DepthCurveExchange::sell(
    AssetId asset, const chain::u256& amount, std::span<const chain::u256> prices) {
  if (asset >= assets_.size() || asset >= prices.size())
    return tl::unexpected(std::string{"sale of an unknown asset"});
  SaleOutcome out;
  out.asset = asset;
  out.amount_in = amount;
  out.price_before = prices[asset];
  out.price_after = prices[asset];
  const auto curve = percent_per_million_.find(asset);
  if (curve == percent_per_million_.end() || base_unit_ == 0) {
    out.how = "no venue";
    return out;
  }
  const double usd = chain::to_double(value_base(amount, prices[asset], assets_[asset].decimals)) /
                     chain::to_double(base_unit_);
  const double keep = std::pow(1.0 - curve->second / 100.0, usd / 1e6);
  // The price scaled by `keep` in parts per 1e12, in integers.
  const auto ppt = static_cast<std::uint64_t>(std::llround(std::clamp(keep, 0.0, 1.0) * 1e12));
  out.price_after = prices[asset] * chain::u256{ppt} / chain::u256{1'000'000'000'000ULL};
  char how[64];
  std::snprintf(how, sizeof how, "depth curve %g%%/1M", curve->second);
  out.how = how;
  return out;
}

tl::expected<DepthSpec, std::string> parse_depth(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return tl::unexpected("malformed depth '" + std::string{text} +
                          "': expected SYMBOL=PERCENT_PER_MILLION_USD, as in WETH=1.5");
  std::string number{text.substr(eq + 1)};
  if (!number.empty() && number.back() == '%') number.pop_back();
  char* end = nullptr;
  const double pct = std::strtod(number.c_str(), &end);
  if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(pct) || pct <= 0 ||
      pct >= 100)
    return tl::unexpected("malformed depth '" + std::string{text} +
                          "': the move per $1M must be a percentage in (0, 100)");
  return DepthSpec{std::string{text.substr(0, eq)}, pct};
}

}  // namespace strategy::cascade
