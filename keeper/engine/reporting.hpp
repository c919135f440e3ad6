#pragma once
// How the engine writes numbers for people: health factors, dollars, simulation outcomes, and
// the identity of a liquidation attempt.
#include <string>

#include <tl/expected.hpp>

#include "chain/bytes.hpp"
#include "chain/rpc/rpc_error.hpp"
#include "chain/uint256.hpp"
#include "strategy/lending_protocol.hpp"

namespace keeper::engine {

// A health factor as a number (-1: no debt) and as text ("no debt").
[[nodiscard]] double hf_value(const chain::u256& hf);
[[nodiscard]] std::string hf_text(const chain::u256& hf);
[[nodiscard]] std::string money(double usd);
// "ok", the decoded revert reason, or the node's error.
[[nodiscard]] std::string simulation_text(
    const tl::expected<chain::Bytes, chain::rpc::RpcError>& r);
// One attempt per account, pair and position state: never the same liquidation twice.
[[nodiscard]] std::string intent_key(const strategy::Opportunity& o);

}  // namespace keeper::engine
