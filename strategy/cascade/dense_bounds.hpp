#pragma once
// Every account's health bound as a dense row, one coefficient per asset, for markets of a few
// assets: a round's filter is then a fixed-length dot product per account, without the sparse
// terms' count, gather and range checks (which cost several times the arithmetic).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "strategy/cascade/ledger.hpp"

namespace strategy::cascade {

class DenseBounds {
 public:
  // Wider markets keep the sparse terms only: a row per account would be mostly zeros.
  static constexpr std::size_t kMaxAssets = 8;

  // Rows of zeros for `accounts` over `assets`; none (enabled() false) above kMaxAssets.
  void reset(std::size_t accounts, std::size_t assets);
  [[nodiscard]] bool enabled() const noexcept { return width_ != 0; }

  // `id`'s row from its bound's terms (several terms of one asset add up). False, with the row
  // left zero, where a term names an asset the rows do not have: the caller must then keep the
  // account a candidate by other means.
  [[nodiscard]] bool write(AccountId id, std::span<const BoundTerm> terms) noexcept;

  // Appends to `out`, in id order, every account not `excluded` whose row at `prices` (one per
  // asset) is not proven at or above its `slack`: a NaN proves nothing. `slack` and `excluded`
  // have a value per account.
  void candidates(std::span<const double> prices, std::span<const double> slack,
                  std::span<const std::uint8_t> excluded, std::vector<AccountId>& out) const;

 private:
  template <std::size_t Width>
  void candidates_of_width(const double* prices, std::span<const double> slack,
                           std::span<const std::uint8_t> excluded,
                           std::vector<AccountId>& out) const;

  std::size_t width_ = 0;
  std::vector<double> rows_;  // width_ per account, by AccountId
};

}  // namespace strategy::cascade
