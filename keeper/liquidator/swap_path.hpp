#pragma once
// Uniswap V3's packed swap path, as SwapRouter.exactInput reads it: the input token, then for each
// hop its pool's 3-byte fee and the hop's output token (20 + 23 * hops bytes).
#include <cstdint>
#include <span>
#include <string_view>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "chain/bytes.hpp"

namespace keeper::liquidator {

struct SwapHop {
  std::uint32_t fee = 0;  // the pool's fee tier, hundredths of a basis point (3000 = 0.3%)
  chain::Address token_out;
};

enum class SwapPathError {
  no_hops,         // a path needs at least one pool
  fee_too_large,   // fees are uint24 on chain
  same_token_hop,  // a hop from a token to itself names no pool
};

[[nodiscard]] std::string_view describe(SwapPathError e) noexcept;

[[nodiscard]] tl::expected<chain::Bytes, SwapPathError> encode_swap_path(
    const chain::Address& token_in, std::span<const SwapHop> hops);

}  // namespace keeper::liquidator
