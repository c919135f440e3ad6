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
  // A receipt's gasUsed is net of the storage refunds (EIP-3529 caps them at a fifth of it), but
  // the transaction must hold them while it runs: a liquidation that sets and clears slots
  // (approvals, the contract's callback guard) needs up to a quarter more than its receipt says.
  // Signed with the receipt's figure x 1.3, Morpho callbacks on the devnet ran out of gas.
  const auto it = seen_.find(kind);
  const std::uint64_t needed = it != seen_.end() ? it->second + it->second / 4 : expected(kind);
  return needed * options_.limit_margin_permille / 1000;
}

void GasModel::observe(const std::string& kind, std::uint64_t gas_used) {
  if (gas_used == 0) return;
  auto& v = seen_[kind];
  v = std::max(v, gas_used);
}

}  // namespace strategy
