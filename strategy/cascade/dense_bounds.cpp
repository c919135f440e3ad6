#include "strategy/cascade/dense_bounds.hpp"

#include <algorithm>

#include "strategy/cascade/huge_pages.hpp"

namespace strategy::cascade {

void DenseBounds::reset(std::size_t accounts, std::size_t assets) {
  width_ = assets <= kMaxAssets ? assets : 0;
  rows_.assign(accounts * width_, 0.0);
  // Every round streams the rows: in 2 MiB pages, a few TLB entries cover them.
  (void)back_with_huge_pages(rows_);
}

bool DenseBounds::write(AccountId id, std::span<const BoundTerm> terms) noexcept {
  double* row = rows_.data() + std::size_t{id} * width_;
  std::fill_n(row, width_, 0.0);
  for (const auto& t : terms) {
    if (t.asset >= width_) {
      std::fill_n(row, width_, 0.0);
      return false;
    }
    row[t.asset] += t.coefficient;
  }
  return true;
}

void DenseBounds::candidates(std::span<const double> prices, std::span<const double> slack,
                             std::span<const std::uint8_t> excluded,
                             std::vector<AccountId>& out) const {
  const std::size_t n =
      std::min({slack.size(), excluded.size(), rows_.size() / std::max(width_, std::size_t{1})});
  slack = slack.first(n);
  excluded = excluded.first(n);
  switch (prices.size() < width_ ? 0 : width_) {
    case 1: return candidates_of_width<1>(prices.data(), slack, excluded, out);
    case 2: return candidates_of_width<2>(prices.data(), slack, excluded, out);
    case 3: return candidates_of_width<3>(prices.data(), slack, excluded, out);
    case 4: return candidates_of_width<4>(prices.data(), slack, excluded, out);
    case 5: return candidates_of_width<5>(prices.data(), slack, excluded, out);
    case 6: return candidates_of_width<6>(prices.data(), slack, excluded, out);
    case 7: return candidates_of_width<7>(prices.data(), slack, excluded, out);
    case 8: return candidates_of_width<8>(prices.data(), slack, excluded, out);
    default: break;
  }
  // No rows, or not every asset priced: nothing is proven.
  for (std::size_t i = 0; i < n; ++i)
    if (excluded[i] == 0) out.push_back(static_cast<AccountId>(i));
}

template <std::size_t Width>
void DenseBounds::candidates_of_width(const double* prices, std::span<const double> slack,
                                      std::span<const std::uint8_t> excluded,
                                      std::vector<AccountId>& out) const {
  const std::size_t n = slack.size();
  const std::size_t first = out.size();
  // Without a branch on the verdict, which no predictor guesses (accounts that may fall are
  // scattered): every id is written, and the end moves past those that may fall.
  out.resize(first + n);
  AccountId* next = out.data() + first;
  const double* row = rows_.data();
  for (std::size_t i = 0; i < n; ++i, row += Width) {
    double sum = 0.0;
    for (std::size_t a = 0; a < Width; ++a) sum += row[a] * prices[a];
    *next = static_cast<AccountId>(i);
    // Not `sum < slack`: a NaN must not prove health.
    next +=
        static_cast<std::size_t>(excluded[i] == 0) & static_cast<std::size_t>(!(sum >= slack[i]));
  }
  out.resize(static_cast<std::size_t>(next - out.data()));
}

}  // namespace strategy::cascade
