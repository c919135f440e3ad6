#pragma once
// A cascade's results for people and programs: JSON (amounts as decimal strings of base units,
// exact) and a text table.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "strategy/cascade/ledger.hpp"
#include "strategy/cascade/simulation.hpp"

namespace cascade {

struct ReportContext {
  std::uint64_t block = 0;
  std::uint64_t timestamp = 0;
  std::vector<strategy::cascade::AssetInfo> assets;
  chain::u256 base_unit;  // base currency units per US dollar
};

[[nodiscard]] nlohmann::json cascade_json(const ReportContext& c,
                                          const strategy::cascade::CascadeResult& r);
[[nodiscard]] nlohmann::json sweep_json(const ReportContext& c,
                                        const std::vector<strategy::cascade::CascadeResult>& runs);
[[nodiscard]] std::string cascade_text(const ReportContext& c,
                                       const strategy::cascade::CascadeResult& r);
[[nodiscard]] std::string sweep_text(const ReportContext& c,
                                     const std::vector<strategy::cascade::CascadeResult>& runs);

}  // namespace cascade
