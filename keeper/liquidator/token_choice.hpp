#pragma once
// Which tokens `keeper liquidator withdraw` sweeps: the ones named by symbol or address, or by
// default every reserve of the market and ETH.
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "chain/address.hpp"

namespace keeper::liquidator {

struct TokenChoice {
  std::string label;     // symbol, or the address when named by address
  chain::Address token;  // zero: ETH
};

struct KnownToken {
  std::string symbol;
  chain::Address token;
};

// `wanted` entries are symbols of `known` (case-insensitive), "ETH", or 0x addresses; empty means
// every known token and ETH. Duplicates are dropped; an unknown symbol or a bad address is an
// error.
[[nodiscard]] tl::expected<std::vector<TokenChoice>, std::string> choose_tokens(
    const std::vector<std::string>& wanted, const std::vector<KnownToken>& known);

}  // namespace keeper::liquidator
