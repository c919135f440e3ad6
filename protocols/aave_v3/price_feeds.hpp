#pragma once
// Which contracts emit the price updates the market's oracle reads. AaveOracle asks each asset's
// source (a Chainlink proxy) for latestAnswer; the proxy forwards to its current aggregator, and
// the aggregator is what emits AnswerUpdated. keeper follows the proxy to its aggregator, and
// follows it again when the proxy switches.
#include <cstdint>
#include <map>
#include <vector>

#include <tl/expected.hpp>

#include "chain/rpc/rpc_client.hpp"
#include "protocols/aave_v3/market.hpp"

namespace protocols::aave_v3 {

// Emitter of AnswerUpdated -> the reserves (ids) whose price it sets.
using FeedMap = std::map<chain::Address, std::vector<std::uint16_t>>;

// One batch of `aggregator()` calls at `block`; a source that does not answer it is taken to be
// an aggregator itself.
[[nodiscard]] tl::expected<FeedMap, std::string> follow_feeds(
    chain::rpc::RpcClient& rpc, const protocols::aave_v3::Market& market, std::uint64_t block);

}  // namespace protocols::aave_v3
