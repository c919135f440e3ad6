#pragma once
// Reads a transaction's input as a call to a known function: how keeper recognises a competitor's
// liquidationCall or an oracle update among pending transactions.
#include <optional>
#include <string_view>

#include "chain/abi/signature.hpp"

namespace chain::abi {

struct DecodedCall {
  FixedBytes<4> selector{};
  Values args;  // one per input of the signature, in order
};

// nullopt when `input` is not a call to `function`: another selector, or arguments that do not
// decode (truncated, dirty padding, bad bool). Bytes after the arguments are allowed, as the
// contract's own decoder allows them: such a call still executes.
[[nodiscard]] std::optional<DecodedCall> decode_call(BytesView input, const Function& function);

// As above from a signature such as "liquidationCall(address,address,address,uint256,bool)";
// nullopt also for a malformed signature. Parses the signature on each call: for a hot loop,
// parse it once with parse_function and use the overload above.
[[nodiscard]] std::optional<DecodedCall> decode_call(const Bytes& input,
                                                     std::string_view signature);

}  // namespace chain::abi
