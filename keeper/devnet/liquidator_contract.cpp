#include "keeper/devnet/liquidator_contract.hpp"

#include "keeper/liquidator/liquidator_deploy.hpp"

namespace keeper::devnet {

tl::expected<void, std::string> deploy_liquidator_contract(DevChain& chain, Deployment& d) {
  auto contract = liquidator::deploy_unlocked(chain, d.admin, d.pool, d.liquidator);
  if (!contract) return tl::unexpected(contract.error());
  d.liquidator_contract = *contract;
  std::vector<TxRequest> approvals;
  for (const auto& a : d.assets) {
    auto data = calldata("approve(address,uint256)",
                         {chain::abi::Value{*contract}, chain::abi::Value{chain::kU256Max}});
    if (!data) return tl::unexpected(data.error());
    approvals.push_back({d.liquidator, a.token, std::move(*data),
                         "liquidator approves its contract for " + a.spec.symbol, 100'000});
  }
  return chain.send_round(approvals);
}

}  // namespace keeper::devnet
