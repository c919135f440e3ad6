#pragma once
// Sends a devnet price update the way a Chainlink OCR2 transmitter does on mainnet: a `transmit`
// transaction to the feed's aggregator from its transmitter (the devnet's admin), priced with an
// EIP-1559 tip, either waited for or left in the mempool for the next block.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "chain/uint256.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/devnet/dev_chain.hpp"

namespace keeper::devnet {

struct TransmitOptions {
  // Mainnet's ETH / USD feed carries 31 observations per report.
  std::size_t observations = 31;
  // What the transmitter bids: keeper's backruns bid just under it, and a node ordering its pool
  // by fees (anvil --order fees) puts them behind the update in the same block. 1 gwei is what
  // anvil suggests, and what the devnet's updates paid before: a higher tip would raise the tip
  // anvil suggests (eth_maxPriorityFeePerGas) to keeper for the blocks that follow.
  chain::u256 tip_wei{1'000'000'000ULL};
  // Replaces the transmitter's pending transaction at this nonce (nodes ask 10% more on both
  // fees) instead of taking the next one: how a test drops an update keeper backruns.
  std::optional<std::uint64_t> nonce;
};

struct SentTransmit {
  chain::Hash hash{};
  std::uint64_t epoch_and_round = 0;
  std::uint64_t head = 0;  // the latest block when the transmit was sent
  std::uint64_t gas = 0;   // the gas limit it was given
};

// Reads the aggregator's config digest and newest epoch and round (in the pending state, so a
// transmit still in the mempool counts), builds a report whose median is `answer`, and sends it
// from `d.admin`. Returns once the node has accepted it into its pool.
[[nodiscard]] tl::expected<SentTransmit, std::string> send_transmit(DevChain& chain,
                                                                    const Deployment& d,
                                                                    const DeployedAsset& asset,
                                                                    const chain::i256& answer,
                                                                    const TransmitOptions& options);

// Waits for the transmit's receipt (a failed one is an error) for at most `limit`.
[[nodiscard]] tl::expected<chain::rpc::Receipt, std::string> wait_for_receipt(
    chain::rpc::RpcClient& rpc, const chain::Hash& hash, std::chrono::milliseconds limit);

// Waits until a block after `after` is the head, for at most `limit`; returns the new head.
[[nodiscard]] tl::expected<std::uint64_t, std::string> wait_for_block_after(
    chain::rpc::RpcClient& rpc, std::uint64_t after, std::chrono::milliseconds limit);

}  // namespace keeper::devnet
