#include "dex/uniswap_v3/path_quote.hpp"

namespace dex::uniswap_v3 {
namespace {

const chain::Address& token_in(const Hop& h) {
  return h.zero_for_one ? h.pool->token0 : h.pool->token1;
}
const chain::Address& token_out(const Hop& h) {
  return h.zero_for_one ? h.pool->token1 : h.pool->token0;
}

tl::expected<void, PathQuoteError> check_path(std::span<const Hop> hops) {
  const auto fail = [](std::size_t i, PathError e) {
    return tl::unexpected(PathQuoteError{i, true, e, {}});
  };
  if (hops.empty()) return fail(0, PathError::empty_path);
  for (std::size_t i = 0; i < hops.size(); ++i) {
    if (hops[i].pool == nullptr) return fail(i, PathError::null_pool);
    if (i > 0 && token_out(hops[i - 1]) != token_in(hops[i]))
      return fail(i, PathError::disconnected);
  }
  return {};
}

}  // namespace

tl::expected<PathQuote, PathQuoteError> quote_path_exact_input(std::span<const Hop> hops,
                                                               const u256& amount_in) {
  if (auto ok = check_path(hops); !ok) return tl::unexpected(ok.error());
  PathQuote out;
  out.amount_in = amount_in;
  u256 amount = amount_in;
  for (std::size_t i = 0; i < hops.size(); ++i) {
    const auto q = quote_exact_input(*hops[i].pool, hops[i].zero_for_one, amount,
                                     no_price_limit(hops[i].zero_for_one));
    if (!q) return tl::unexpected(PathQuoteError{i, false, {}, q.error()});
    amount = q->amount_out;
    out.hops.push_back(*q);
  }
  out.amount_out = amount;
  return out;
}

tl::expected<PathQuote, PathQuoteError> quote_path_exact_output(std::span<const Hop> hops,
                                                                const u256& amount_out) {
  if (auto ok = check_path(hops); !ok) return tl::unexpected(ok.error());
  PathQuote out;
  out.amount_out = amount_out;
  out.hops.resize(hops.size());
  u256 amount = amount_out;
  for (std::size_t i = hops.size(); i-- > 0;) {
    const auto q = quote_exact_output(*hops[i].pool, hops[i].zero_for_one, amount,
                                      no_price_limit(hops[i].zero_for_one));
    if (!q) return tl::unexpected(PathQuoteError{i, false, {}, q.error()});
    // Without a price limit the pool must deliver all of it, or QuoterV2 and the router revert.
    if (q->amount_out != amount)
      return tl::unexpected(PathQuoteError{i, false, {}, QuoteError::pool_would_revert});
    amount = q->amount_in;
    out.hops[i] = *q;
  }
  out.amount_in = amount;
  return out;
}

}  // namespace dex::uniswap_v3
