#pragma once
// The approximate, fast side of the evaluator: every account as a linear form in asset prices,
// stored flat so a full ranking pass over a million accounts streams through memory once.
// Exact uint256 math decides liquidations; this only ranks and filters.
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace strategy {

using AccountId = std::uint32_t;
using AssetId = std::uint16_t;

// value_in_base = amount * price(asset). For collateral `amount` already includes the liquidation
// threshold (balance × LT / 10^decimals); for debt it is balance / 10^decimals.
struct Weight {
  AssetId asset = 0;
  bool is_debt = false;
  double amount = 0.0;
};

inline constexpr double kNoDebtHealth = std::numeric_limits<double>::infinity();

class RiskBook {
 public:
  // Replaces the account's weights (creating the account if new). Ids are dense and chosen by the
  // caller; a gap costs one empty slot.
  void set(AccountId id, std::span<const Weight> weights);
  void clear(AccountId id);

  [[nodiscard]] std::span<const Weight> weights(AccountId id) const noexcept;
  [[nodiscard]] std::size_t account_slots() const noexcept { return slots_.size(); }
  [[nodiscard]] std::size_t position_count() const noexcept { return live_positions_; }

  // Approximate health factor of one account at the given prices (indexed by AssetId).
  [[nodiscard]] double health(AccountId id, std::span<const double> prices) const noexcept;

  // The ranking pass: health of every account into `out` (resized to account_slots()).
  void health_all(std::span<const double> prices, std::vector<double>& out) const;

  [[nodiscard]] std::size_t memory_bytes() const noexcept;

 private:
  struct Slot {
    std::uint32_t offset = 0;
    std::uint16_t count = 0;
    std::uint16_t capacity = 0;
  };
  void compact();

  std::vector<Slot> slots_;
  std::vector<Weight> pool_;
  std::size_t live_positions_ = 0;
  std::size_t wasted_ = 0;
};

// The price of `asset` at which the account's health crosses 1 with every other price fixed.
struct Trigger {
  double price = 0.0;
  bool on_fall =
      true;  // true: liquidatable below `price` (net collateral); false: above (net debt)
};
// nullopt-like: `valid == false` when no price of this asset alone can cross 1.
struct TriggerResult {
  bool valid = false;
  Trigger trigger;
};

[[nodiscard]] TriggerResult liquidation_trigger(std::span<const Weight> weights, AssetId asset,
                                                std::span<const double> prices) noexcept;

}  // namespace strategy
