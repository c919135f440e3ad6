#include "strategy/gas_model.hpp"

#include <algorithm>

namespace strategy {

std::uint64_t GasModel::expected(const std::string& kind) const {
  const auto it = seen_.find(kind);
  return it == seen_.end() ? options_.default_gas_used : it->second;
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
