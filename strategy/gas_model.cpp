#include "strategy/gas_model.hpp"

#include <algorithm>

namespace strategy {

std::uint64_t GasModel::expected(const std::string& kind) const {
  const auto it = seen_.find(kind);
  if (it != seen_.end()) return it->second;
  return kind.starts_with(kFlashKindPrefix) ? options_.default_flash_gas_used
                                            : options_.default_gas_used;
}

std::uint64_t GasModel::limit(const std::string& kind) const {
  return expected(kind) * options_.limit_margin_permille / 1000;
}

void GasModel::observe(const std::string& kind, std::uint64_t gas_used) {
  if (gas_used == 0) return;
  auto& v = seen_[kind];
  v = std::max(v, gas_used);
}

}  // namespace strategy
