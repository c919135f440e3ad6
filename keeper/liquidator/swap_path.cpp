#include "keeper/liquidator/swap_path.hpp"

namespace keeper::liquidator {

std::string_view describe(SwapPathError e) noexcept {
  switch (e) {
    case SwapPathError::no_hops: return "a swap path needs at least one pool";
    case SwapPathError::fee_too_large: return "a pool fee does not fit in 24 bits";
    case SwapPathError::same_token_hop: return "a swap path hop goes from a token to itself";
  }
  return "unknown swap path error";
}

tl::expected<chain::Bytes, SwapPathError> encode_swap_path(const chain::Address& token_in,
                                                           std::span<const SwapHop> hops) {
  if (hops.empty()) return tl::unexpected(SwapPathError::no_hops);
  chain::Bytes path;
  path.reserve(20 + 23 * hops.size());
  chain::append(path, token_in.bytes);
  const chain::Address* previous = &token_in;
  for (const auto& hop : hops) {
    if (hop.fee >= (1U << 24)) return tl::unexpected(SwapPathError::fee_too_large);
    if (hop.token_out == *previous) return tl::unexpected(SwapPathError::same_token_hop);
    path.push_back(static_cast<std::uint8_t>(hop.fee >> 16));
    path.push_back(static_cast<std::uint8_t>(hop.fee >> 8));
    path.push_back(static_cast<std::uint8_t>(hop.fee));
    chain::append(path, hop.token_out.bytes);
    previous = &hop.token_out;
  }
  return path;
}

}  // namespace keeper::liquidator
