#include "keeper/liquidator/owner_session.hpp"

#include "keeper/commands/node_connection.hpp"
#include "keeper/wallet/wallet_loader.hpp"

namespace keeper::liquidator {

SendLimits OwnerSession::send_limits() const {
  SendLimits limits;
  limits.max_fee_per_gas = config.strategy.max_fee_per_gas_wei;
  limits.max_priority_fee_per_gas = config.strategy.max_priority_fee_per_gas_wei;
  limits.gas_limit_multiplier = config.transactions.gas_limit_multiplier;
  return limits;
}

tl::expected<OwnerSession, std::string> open_owner_session(const std::string& config_path) {
  auto cfg = config::load_config_file(config_path);
  if (!cfg) return tl::unexpected(cfg.error().to_string());
  if (!cfg->wallet)
    return tl::unexpected(config_path + ": a [wallet] section is required to sign as the owner");
  // The key before the node: a missing key is the operator's to fix whatever the node does.
  auto key = load_wallet(*cfg->wallet, cfg->base_dir);
  if (!key) return tl::unexpected("wallet: " + key.error());
  auto rpc = std::make_unique<chain::rpc::RpcClient>(rpc_options(cfg->node));
  if (auto ok = check_chain(*rpc, *cfg); !ok) return tl::unexpected(ok.error());
  auto head = rpc->block_number();
  if (!head) return tl::unexpected("node " + cfg->node.http_url + ": " + head.error().to_string());
  protocols::aave_v3::AaveSync sync{*rpc, cfg->markets.front().pool_addresses_provider};
  auto contracts = sync.contracts(*head);
  if (!contracts)
    return tl::unexpected("market " + cfg->markets.front().name + ": " + contracts.error());
  return OwnerSession{std::move(*cfg), std::move(rpc), std::move(*key), *contracts, *head};
}

}  // namespace keeper::liquidator
