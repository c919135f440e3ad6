#pragma once
// Multi-hop quotes (a collateral swapped to the debt asset through an intermediate token), hop by
// hop as QuoterV2.quoteExactInput/quoteExactOutput chain single-pool quotes with no price limit.
#include <span>
#include <vector>

#include "dex/uniswap_v3/swap_quote.hpp"

namespace dex::uniswap_v3 {

struct Hop {
  const PoolState* pool = nullptr;
  bool zero_for_one = false;  // token0 -> token1 through this pool
};

struct PathQuote {
  u256 amount_in;               // into the first hop
  u256 amount_out;              // out of the last hop
  std::vector<SwapQuote> hops;  // in path order
};

enum class PathError { empty_path, null_pool, disconnected };

struct PathQuoteError {
  std::size_t hop = 0;   // where it failed, in path order
  bool in_path = false;  // true: a PathError, false: the hop's QuoteError
  PathError path{};
  QuoteError quote{};
};

// Hops in the order tokens flow: the output of hop i is the input of hop i+1.
[[nodiscard]] tl::expected<PathQuote, PathQuoteError> quote_path_exact_input(
    std::span<const Hop> hops, const u256& amount_in);
// Computed from the last hop backwards, as QuoterV2 does: each hop's required input is the
// previous hop's output.
[[nodiscard]] tl::expected<PathQuote, PathQuoteError> quote_path_exact_output(
    std::span<const Hop> hops, const u256& amount_out);

}  // namespace dex::uniswap_v3
