#pragma once
// The start of every command that reads the chain: an RPC client for the configured node, which
// must be on the configured chain, and the block to read at.
#include <memory>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "chain/rpc/rpc_client.hpp"
#include "config/keeper_config.hpp"

namespace keeper {

[[nodiscard]] chain::rpc::RpcClientOptions rpc_options(const config::NodeConfig& node);

// Fails with a readable message when the node is unreachable or on another chain.
[[nodiscard]] tl::expected<void, std::string> check_chain(chain::rpc::RpcClient& rpc,
                                                          const config::KeeperConfig& cfg);

// Every market's start_block must be at or below `block` (the head, or the block a command reads
// at): past it, keeper would find no account and watch nothing, silently.
[[nodiscard]] tl::expected<void, std::string> check_start_blocks(const config::KeeperConfig& cfg,
                                                                 std::uint64_t block);

// The header of `block`, or of the head when none is given.
[[nodiscard]] tl::expected<chain::rpc::BlockHeader, std::string> block_at(
    chain::rpc::RpcClient& rpc, std::optional<std::uint64_t> block);

// What scan and account start from: the config, a client for its node (checked to be on its
// chain) and the header of the block to read at (the head when none is given).
struct NodeSession {
  config::KeeperConfig config;
  std::unique_ptr<chain::rpc::RpcClient> rpc;
  chain::rpc::BlockHeader header;
};

[[nodiscard]] tl::expected<NodeSession, std::string> open_node_session(
    const std::string& config_path, std::optional<std::uint64_t> block);

}  // namespace keeper
