#pragma once
// How much gas a kind of liquidation uses, learned off the hot path from receipts (and estimates,
// when keeper has them): the send path reads a number from memory instead of asking the node.
// Keyed by an opaque kind chosen by the protocol (e.g. "collateral:debt" on Aave V3).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace strategy {

// Kinds of flash-funded liquidations start with this.
inline constexpr std::string_view kFlashKindPrefix = "flash:";

struct GasModelOptions {
  std::uint64_t default_gas_used = 450'000;  // before anything was learned for a kind
  // A flash liquidation (kind "flash:…") also borrows, swaps and repays: 566k-700k measured on
  // the devnet for one or two pools.
  std::uint64_t default_flash_gas_used = 750'000;
  std::uint32_t limit_margin_permille = 1300;  // gas limit = expected × 1.3: an unlucky path fits
};

class GasModel {
 public:
  explicit GasModel(GasModelOptions options = {}) : options_{options} {}

  // Expected gas used: the largest seen for this kind (positions differ; the largest is safe).
  [[nodiscard]] std::uint64_t expected(const std::string& kind) const;
  // The gas limit to sign with: the expected figure (a learned one raised by the refunds its
  // receipt netted out, up to a quarter) with the margin.
  [[nodiscard]] std::uint64_t limit(const std::string& kind) const;
  // A receipt's gasUsed (net of refunds) for this kind.
  void observe(const std::string& kind, std::uint64_t gas_used);

  [[nodiscard]] std::size_t kinds() const noexcept { return seen_.size(); }

 private:
  GasModelOptions options_;
  std::map<std::string, std::uint64_t, std::less<>> seen_;
};

}  // namespace strategy
