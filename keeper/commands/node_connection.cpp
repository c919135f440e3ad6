#include "keeper/commands/node_connection.hpp"

namespace keeper {

chain::rpc::RpcClientOptions rpc_options(const config::NodeConfig& node) {
  auto o = chain::rpc::RpcClientOptions::for_urls({node.http_url});
  for (const auto& u : node.extra_http_urls) o.urls.push_back(u);
  o.http.request_timeout = std::chrono::milliseconds{node.request_timeout_ms};
  return o;
}

tl::expected<void, std::string> check_chain(chain::rpc::RpcClient& rpc,
                                            const config::KeeperConfig& cfg) {
  auto chain_id = rpc.chain_id();
  if (!chain_id)
    return tl::unexpected("node " + cfg.node.http_url + ": " + chain_id.error().to_string());
  if (*chain_id != cfg.chain_id)
    return tl::unexpected("the node is on chain " + std::to_string(*chain_id) +
                          " but the config says chain_id = " + std::to_string(cfg.chain_id) +
                          ": refusing to start");
  return {};
}

tl::expected<void, std::string> check_start_blocks(const config::KeeperConfig& cfg,
                                                   std::uint64_t block) {
  for (std::size_t i = 0; i < cfg.markets.size(); ++i) {
    const auto& m = cfg.markets[i];
    if (m.start_block <= block) continue;
    const std::string where =
        cfg.source + (m.start_block_line != 0 ? ":" + std::to_string(m.start_block_line) : "");
    return tl::unexpected(where + ": markets[" + std::to_string(i) +
                          "].start_block = " + std::to_string(m.start_block) + " is past block " +
                          std::to_string(block) +
                          " (the node's head, or the block asked for): keeper would find no "
                          "account there; refusing to start");
  }
  return {};
}

tl::expected<chain::rpc::BlockHeader, std::string> block_at(chain::rpc::RpcClient& rpc,
                                                            std::optional<std::uint64_t> block) {
  if (!block) {
    auto head = rpc.block_number();
    if (!head) return tl::unexpected("head: " + head.error().to_string());
    block = *head;
  }
  auto header = rpc.block(*block);
  if (!header)
    return tl::unexpected("block " + std::to_string(*block) + ": " + header.error().to_string());
  return *header;
}

tl::expected<NodeSession, std::string> open_node_session(const std::string& config_path,
                                                         std::optional<std::uint64_t> block) {
  auto cfg = config::load_config_file(config_path);
  if (!cfg) return tl::unexpected(cfg.error().to_string());
  auto rpc = std::make_unique<chain::rpc::RpcClient>(rpc_options(cfg->node));
  if (auto ok = check_chain(*rpc, *cfg); !ok) return tl::unexpected(ok.error());
  auto header = block_at(*rpc, block);
  if (!header) return tl::unexpected(header.error());
  if (auto ok = check_start_blocks(*cfg, header->number); !ok) return tl::unexpected(ok.error());
  return NodeSession{std::move(*cfg), std::move(rpc), *header};
}

}  // namespace keeper
