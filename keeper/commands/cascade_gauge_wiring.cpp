#include "keeper/commands/cascade_gauge_wiring.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <set>

#include "strategy/cascade/debt_at_risk.hpp"

namespace keeper {
namespace {

const char* const kHelp =
    "Relative price move of an asset (others held) at which the share of the market's debt becomes "
    "liquidatable (-0.2: a 20% fall), from every account's rank form at the last head";

std::string share_text(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", share);
  return text;
}

}  // namespace

std::vector<CascadeGaugeSample> cascade_gauge_samples(const strategy::RiskBook& book,
                                                      std::span<const double> prices,
                                                      const std::vector<std::string>& symbols,
                                                      double share) {
  std::vector<CascadeGaugeSample> out;
  const std::string share_label = ops::label("share", share_text(share));
  for (std::size_t i = 0; i < symbols.size() && i < prices.size(); ++i) {
    const auto m = strategy::cascade::move_for_debt_share(book, static_cast<strategy::AssetId>(i),
                                                          prices, share);
    const std::string asset = ops::label("asset", symbols[i]) + "," + share_label;
    if (m.fall) out.push_back({asset + "," + ops::label("direction", "fall"), *m.fall});
    if (m.rise) out.push_back({asset + "," + ops::label("direction", "rise"), *m.rise});
  }
  return out;
}

void wire_cascade_gauge(engine::BlockPipeline& pipeline, ops::Metrics& metrics,
                        const protocols::aave_v3::MarketState& state,
                        const strategy::LendingProtocol& protocol) {
  metrics.declare_series(kCascadeGaugeName, "gauge", kHelp);
  auto published = std::make_shared<std::set<std::string>>();
  pipeline.on_head_settled([&metrics, &state, &protocol, published](const chain::rpc::BlockHeader&,
                                                                    const strategy::Watchlist& w) {
    std::vector<std::string> symbols;
    for (const auto& r : state.market().reserves) symbols.push_back(r.symbol);
    const auto prices = protocol.rank_prices();
    std::set<std::string> now;
    for (const auto& s : cascade_gauge_samples(w.book(), prices, symbols)) {
      metrics.set_series(kCascadeGaugeName, "gauge", kHelp, s.labels, s.value);
      now.insert(s.labels);
    }
    for (const auto& gone : *published)
      if (!now.count(gone))
        metrics.set_series(kCascadeGaugeName, "gauge", kHelp, gone,
                           std::numeric_limits<double>::quiet_NaN());
    *published = std::move(now);
  });
}

}  // namespace keeper
