#pragma once
// Chainlink SVR sends its private price reports through a node operator's forwarder contract:
// the transaction calls forward(address to, bytes callData) on the forwarder, which calls
// transmitSecondary(...) on the SVR aggregator `to`. A hint of such a transaction names the
// forwarder as its `to`, so the aggregator and the answer are read from the calldata.
// (docs.chain.link/data-feeds/svr-feeds/searcher-onboarding-ethereum). Untrusted input: every
// offset and length is checked before it is followed.
#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "chain/bytes.hpp"
#include "oracles/chainlink/pending_update.hpp"

namespace oracles::chainlink {

inline constexpr chain::FixedBytes<4> kForwardSelector{0x6f, 0xad, 0xcf, 0x72};

struct ForwardCall {
  chain::Address to;       // the contract the forwarder calls (an SVR aggregator when it is one)
  chain::BytesView inner;  // the calldata it passes on (a view into the outer calldata)
};

// forward(address,bytes): the target and the inner calldata. Errors reuse UpdateError
// (unknown_selector when it is not a forward call; offset/length errors for a broken `bytes`;
// short_calldata for a head that does not fit or an address word with dirty high bytes).
[[nodiscard]] tl::expected<ForwardCall, UpdateError> decode_forward(chain::BytesView calldata);

}  // namespace oracles::chainlink
