#pragma once
// Protocol-neutral sizing of a swap-funded action: the input amount (a debt to repay, say) that
// maximises what the swap of its proceeds returns less what the input costs. Golden-section search
// on integers over [lo, hi] for a unimodal profit (true when proceeds are linear in the input and
// the swap's output is concave in its input, as a constant-product or concentrated-liquidity pool
// is), then an exact evaluation of every amount in the last small window.
#include <cstdint>
#include <functional>
#include <optional>

#include "chain/uint256.hpp"

namespace dex {

using chain::i256;
using chain::u256;

struct BestAmount {
  u256 input;
  i256 profit;  // as the callable computed it, exactly
  std::uint32_t evaluations = 0;
};

// `profit(x)` for x in [lo, hi]; nullopt where x is infeasible (the quote fails, the action is
// refused), which ranks below every profit. nullopt when no x in the range is feasible.
using ProfitFn = std::function<std::optional<i256>(const u256&)>;

// `resolution` 0 searches to the integer; a larger one stops once the bracket is that narrow and
// takes the best of its ends and middle (a profit curve is flat near its peak: the search then
// costs ~log1.618(range / resolution) evaluations instead of ~log1.618(range)).
[[nodiscard]] std::optional<BestAmount> maximise_unimodal(const ProfitFn& profit, const u256& lo,
                                                          const u256& hi,
                                                          const u256& resolution = 0);

// The repayment of a flash-borrowed `debt` with a premium in basis points, rounded up so that a
// predicted profit is never more than the one realised.
[[nodiscard]] u256 repay_with_premium(const u256& debt, std::uint32_t premium_bps);

// best over debt in [1, max_debt] of out(seized(debt)) - repay_with_premium(debt): `seized` maps
// the debt repaid to what it frees (collateral), `out` prices that through a swap (a quote); either
// may refuse (nullopt).
[[nodiscard]] std::optional<BestAmount> best_input_amount(
    const std::function<std::optional<u256>(const u256&)>& seized,
    const std::function<std::optional<u256>(const u256&)>& out, const u256& max_debt,
    std::uint32_t premium_bps);

}  // namespace dex
