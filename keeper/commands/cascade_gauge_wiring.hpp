#pragma once
// The daemon's distance to the cliff: per asset, the price move at which a share (10%) of the
// market's debt becomes liquidatable (strategy::cascade::move_for_debt_share), from every
// account's rank form in the watchlist, published after each head's follow-up. No RPC and
// nothing on the path to the wire; kept out of run_command.cpp so the daemon gains one line.
#include <string>
#include <vector>

#include "keeper/engine/block_pipeline.hpp"
#include "keeper/ops/metrics.hpp"
#include "protocols/aave_v3/market_state.hpp"
#include "strategy/evaluator/risk_book.hpp"

namespace keeper {

inline constexpr double kCascadeGaugeShare = 0.1;
inline const std::string kCascadeGaugeName = "keeper_cascade_move_for_debt_share";

// The gauge's samples for every asset (symbols by AssetId) at `prices`: labels
// asset, share and direction ("fall" or "rise"), value the relative move (-0.23: a 23% fall).
// A direction no move of the asset alone reaches has no sample.
struct CascadeGaugeSample {
  std::string labels;
  double value = 0;
};
[[nodiscard]] std::vector<CascadeGaugeSample> cascade_gauge_samples(
    const strategy::RiskBook& book, std::span<const double> prices,
    const std::vector<std::string>& symbols, double share = kCascadeGaugeShare);

// Declares the gauge and refreshes it at every settled head of `pipeline`; a sample that stops
// existing (its move out of reach) reads NaN.
void wire_cascade_gauge(engine::BlockPipeline& pipeline, ops::Metrics& metrics,
                        const protocols::aave_v3::MarketState& state,
                        const strategy::LendingProtocol& protocol);

}  // namespace keeper
