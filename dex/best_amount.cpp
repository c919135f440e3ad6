#include "dex/best_amount.hpp"

#include <utility>

namespace dex {
namespace {

// Below this width every remaining amount is evaluated: integer golden-section points collide.
const u256 kScanWidth{16};

// (b - a) / phi, in integers: 0.618033988749894848... to 18 digits.
u256 golden_part(const u256& width) {
  static const u256 kNum{618'033'988'749'894'848ULL};
  static const u256 kDen{1'000'000'000'000'000'000ULL};
  return width / kDen * kNum + (width % kDen) * kNum / kDen;
}

class Evaluator {
 public:
  explicit Evaluator(const ProfitFn& f) : f_{f} {}

  std::optional<i256> operator()(const u256& x) {
    ++count_;
    auto p = f_(x);
    if (p && (!best_ || *p > best_->profit)) best_ = BestAmount{x, *p, 0};
    return p;
  }
  [[nodiscard]] std::optional<BestAmount> best() const {
    if (!best_) return std::nullopt;
    BestAmount b = *best_;
    b.evaluations = count_;
    return b;
  }

 private:
  const ProfitFn& f_;
  std::optional<BestAmount> best_;
  std::uint32_t count_ = 0;
};

// An infeasible amount ranks below any feasible one.
bool less(const std::optional<i256>& a, const std::optional<i256>& b) {
  if (!b) return false;
  return !a || *a < *b;
}

}  // namespace

std::optional<BestAmount> maximise_unimodal(const ProfitFn& profit, const u256& lo, const u256& hi,
                                            const u256& resolution) {
  if (lo > hi) return std::nullopt;
  Evaluator eval{profit};
  u256 a = lo;
  u256 b = hi;
  const u256 stop = resolution > kScanWidth ? resolution : kScanWidth;
  if (b - a > stop) {
    u256 c = b - golden_part(b - a);
    u256 d = a + golden_part(b - a);
    auto fc = eval(c);
    auto fd = eval(d);
    while (b - a > stop) {
      if (less(fc, fd)) {
        // The peak is right of c.
        a = c;
        c = d;
        fc = fd;
        d = a + golden_part(b - a);
        if (d <= c) d = c + 1;
        fd = eval(d);
      } else {
        b = d;
        d = c;
        fd = fc;
        c = b - golden_part(b - a);
        if (c >= d) c = d - 1;
        fc = eval(c);
      }
    }
  }
  if (stop > kScanWidth) {
    (void)eval(a);
    (void)eval(a + (b - a) / 2);
    (void)eval(b);
  } else {
    for (u256 x = a;; ++x) {
      (void)eval(x);
      if (x == b) break;
    }
  }
  // The ends of the range too: a profit still rising at hi (or falling from lo) is common.
  (void)eval(lo);
  (void)eval(hi);
  return eval.best();
}

u256 repay_with_premium(const u256& debt, std::uint32_t premium_bps) {
  const u256 premium = (debt * premium_bps + 9'999) / 10'000;
  return debt + premium;
}

std::optional<BestAmount> best_input_amount(
    const std::function<std::optional<u256>(const u256&)>& seized,
    const std::function<std::optional<u256>(const u256&)>& out, const u256& max_debt,
    std::uint32_t premium_bps) {
  if (max_debt == 0) return std::nullopt;
  const ProfitFn profit = [&](const u256& debt) -> std::optional<i256> {
    const auto collateral = seized(debt);
    if (!collateral) return std::nullopt;
    const auto proceeds = out(*collateral);
    if (!proceeds) return std::nullopt;
    return i256{*proceeds} - i256{repay_with_premium(debt, premium_bps)};
  };
  return maximise_unimodal(profit, 1, max_debt);
}

}  // namespace dex
