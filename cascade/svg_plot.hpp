#pragma once
// The cascade's picture, drawn by keeper itself as SVG (no browser, no plotting tool): the shocked
// asset's price round by round for each shock, and the collateral liquidated and bad debt left
// against the size of the shock, where the cliff shows.
#include <string>
#include <vector>

#include "cascade/report.hpp"

namespace cascade {

[[nodiscard]] std::string sweep_svg(const ReportContext& c,
                                    const std::vector<strategy::cascade::CascadeResult>& runs);

}  // namespace cascade
