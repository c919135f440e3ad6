// `keeper liquidator withdraw`: sweeps what the contract holds back to its owner, token by token,
// skipping the ones it holds none of (no gas spent on them).
#include <iostream>

#include "chain/hex.hpp"
#include "keeper/liquidator/liquidator_calls.hpp"
#include "keeper/liquidator/owner_session.hpp"
#include "keeper/liquidator/subcommands.hpp"
#include "keeper/liquidator/token_choice.hpp"

namespace keeper::liquidator {
namespace {

tl::expected<chain::abi::Values, std::string> view(chain::rpc::RpcClient& rpc,
                                                   const chain::Address& to,
                                                   std::string_view signature,
                                                   const chain::abi::Values& args) {
  auto fn = chain::abi::parse_function(signature);
  if (!fn) return tl::unexpected(std::string{signature} + ": bad signature");
  auto data = fn->encode_call(args);
  if (!data)
    return tl::unexpected(std::string{signature} + ": " +
                          std::string{chain::abi::describe(data.error())});
  auto out = rpc.eth_call({std::nullopt, to, *data, std::nullopt, std::nullopt}, "latest");
  if (!out) return tl::unexpected(std::string{signature} + ": " + out.error().to_string());
  auto values = fn->decode_output(*out);
  if (!values)
    return tl::unexpected(std::string{signature} + " returned malformed data at " +
                          to.checksummed());
  return *values;
}

tl::expected<chain::u256, std::string> held(chain::rpc::RpcClient& rpc,
                                            const chain::Address& contract,
                                            const chain::Address& token) {
  if (token.is_zero()) {
    auto wei = rpc.balance(contract, "latest");
    if (!wei) return tl::unexpected("ETH balance: " + wei.error().to_string());
    return *wei;
  }
  auto balance = view(rpc, token, "balanceOf(address)(uint256)", {chain::abi::Value{contract}});
  if (!balance) return tl::unexpected(balance.error());
  return (*balance)[0].as_uint();
}

// The reserves of the configured market by symbol, for --token SYMBOL and the default list.
tl::expected<std::vector<KnownToken>, std::string> market_tokens(OwnerSession& session) {
  protocols::aave_v3::AaveSync sync{*session.rpc, session.market.provider};
  auto market = sync.market(session.market, session.block);
  if (!market) return tl::unexpected("reading the market: " + market.error());
  std::vector<KnownToken> known;
  for (const auto& r : market->reserves) known.push_back({r.symbol, r.asset});
  return known;
}

}  // namespace

int withdraw_command(const std::string& config_path, const std::vector<std::string>& tokens) {
  auto session = open_owner_session(config_path);
  if (!session) return fail(session.error());
  if (!session->config.liquidator)
    return fail(config_path +
                " has no [liquidator] section: deploy the contract with `keeper liquidator deploy "
                "--config " +
                config_path + "` and add its address there");
  const chain::Address contract = session->config.liquidator->address;
  auto& rpc = *session->rpc;
  auto code = rpc.code(contract, "latest");
  if (!code)
    return fail("reading the code at " + contract.checksummed() + ": " + code.error().to_string());
  if (code->empty())
    return fail("no contract at liquidator.address " + contract.checksummed() + " on chain " +
                std::to_string(session->config.chain_id));
  // Before any gas is spent: only the owner may withdraw, and the owner receives everything.
  auto owner = view(rpc, contract, "owner()(address)", {});
  if (!owner) return fail(contract.checksummed() + " is not a KeeperLiquidator: " + owner.error());
  if ((*owner)[0].as_address() != session->key.address())
    return fail("the contract " + contract.checksummed() + " is owned by " +
                (*owner)[0].as_address().checksummed() + ", not by the wallet " +
                session->key.address().checksummed());

  auto known = market_tokens(*session);
  if (!known) return fail(known.error());
  auto chosen = choose_tokens(tokens, *known);
  if (!chosen) return fail(chosen.error());

  SignedSender sender{rpc, session->key, session->config.chain_id, session->send_limits()};
  for (const auto& choice : *chosen) {
    auto amount = held(rpc, contract, choice.token);
    if (!amount) return fail(choice.label + ": " + amount.error());
    if (*amount == 0) {
      std::cout << choice.label << ": nothing to withdraw\n";
      continue;
    }
    auto data = sweep_calldata(choice.token);
    if (!data) return fail(choice.label + ": " + std::string{chain::abi::describe(data.error())});
    auto receipt = sender.send(contract, *data, "sweep " + choice.label);
    if (!receipt) return fail(receipt.error());
    std::cout << choice.label << ": " << chain::to_dec(*amount) << " (smallest units) sent to "
              << session->key.address().checksummed() << " in transaction "
              << chain::hex_encode(receipt->transaction_hash) << '\n';
  }
  return 0;
}

}  // namespace keeper::liquidator
