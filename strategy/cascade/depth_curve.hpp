#pragma once
// An exchange without pools: each asset's price falls by a fixed share per $1M sold
// (compounded: selling $2M at 1%/1M moves it 1 - 0.99^2), the rule of thumb risk teams quote
// when they have no order book. An asset without a curve is sold without moving its price.
#include <map>
#include <vector>

#include "strategy/cascade/exchange.hpp"
#include "strategy/cascade/ledger.hpp"

namespace strategy::cascade {

class DepthCurveExchange final : public Exchange {
 public:
  // `percent_per_million`: asset -> % move per 1M US dollars sold; `base_unit`: base currency
  // units per US dollar.
  DepthCurveExchange(std::vector<AssetInfo> assets, chain::u256 base_unit,
                     std::map<AssetId, double> percent_per_million);

  [[nodiscard]] std::unique_ptr<Exchange> clone() const override;
  [[nodiscard]] tl::expected<void, std::string> follow(
      std::span<const chain::u256> prices) override;
  [[nodiscard]] tl::expected<SaleOutcome, std::string> sell(
      AssetId asset, const chain::u256& amount, std::span<const chain::u256> prices) override;

 private:
  std::vector<AssetInfo> assets_;
  chain::u256 base_unit_;
  std::map<AssetId, double> percent_per_million_;
};

// "WETH=1.5" (1.5% per $1M): for command lines.
struct DepthSpec {
  std::string symbol;
  double percent_per_million = 0;
};
[[nodiscard]] tl::expected<DepthSpec, std::string> parse_depth(std::string_view text);

}  // namespace strategy::cascade
