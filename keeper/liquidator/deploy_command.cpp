// `keeper liquidator deploy`: a contract-creation transaction signed by the wallet, which becomes
// the contract's owner.
#include <iostream>

#include "chain/hex.hpp"
#include "keeper/liquidator/liquidator_deploy.hpp"
#include "keeper/liquidator/owner_session.hpp"
#include "keeper/liquidator/subcommands.hpp"

namespace keeper::liquidator {

int deploy_command(const std::string& config_path) {
  auto session = open_owner_session(config_path);
  if (!session) return fail(session.error());
  const chain::Address owner = session->key.address();
  auto code = creation_code(session->market.pool, owner);
  if (!code) return fail(code.error());
  SignedSender sender{*session->rpc, session->key, session->config.chain_id,
                      session->send_limits()};
  auto receipt = sender.send(std::nullopt, *code, "deploy KeeperLiquidator");
  if (!receipt) return fail(receipt.error());
  if (!receipt->contract_address)
    return fail("the deployment receipt names no contract address (transaction " +
                chain::hex_encode(receipt->transaction_hash) + ")");
  const chain::Address contract = *receipt->contract_address;
  // The receipt's address is derived from sender and nonce; the code being there is the proof.
  auto deployed = session->rpc->code(contract, "latest");
  if (!deployed)
    return fail("reading the code at " + contract.checksummed() + ": " +
                deployed.error().to_string());
  if (deployed->empty()) return fail("no code at " + contract.checksummed() + " after deployment");
  std::cout << "KeeperLiquidator deployed in block " << receipt->block_number << " (transaction "
            << chain::hex_encode(receipt->transaction_hash) << ", gas " << receipt->gas_used
            << ")\n  pool:  " << session->market.pool.checksummed()
            << "\n  owner: " << owner.checksummed()
            << "\nAdd to the config:\n  [liquidator]\n  address = \"" << contract.checksummed()
            << "\"\n"
            << contract.checksummed() << '\n';
  return 0;
}

}  // namespace keeper::liquidator
