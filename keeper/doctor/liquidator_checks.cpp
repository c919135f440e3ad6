// keeper's own liquidator contract (deployed, owned by this wallet, bound to the market's Pool,
// the code keeper was built with) and what funding needs of the wallet: assets to repay debt
// with, approved for whoever pulls them.
#include "chain/rpc/http_url.hpp"
#include "keeper/devnet/artifact.hpp"
#include "keeper/devnet/dev_chain.hpp"
#include "keeper/doctor/checks.hpp"
#include "keeper/doctor/runtime_code.hpp"
#include "keeper/liquidator/liquidator_deploy.hpp"

namespace keeper::doctor {
namespace {

using chain::Address;
using chain::abi::Value;

// An address-returning view of the contract, or why not.
tl::expected<Address, std::string> address_view(Context& c, const Address& contract,
                                                const std::string& signature) {
  devnet::DevChain reader{c.rpc};
  auto out = reader.view(contract, signature, {});
  if (!out) return tl::unexpected(out.error());
  if (out->empty()) return tl::unexpected(signature + " returned nothing");
  return (*out)[0].as_address();
}

void check_code(Context& c, const Address& contract, const chain::Bytes& deployed) {
  auto artifact = devnet::find_artifact(liquidator::kArtifactName);
  if (!artifact) return c.report.fail("liquidator code", artifact.error());
  if (!artifact->immutable_ranges)
    return c.report.fail("liquidator code",
                         "the compiled artifact predates immutable references: run "
                         "scripts/setup.sh to recompile contracts/");
  auto same =
      compare_runtime_code(artifact->runtime_bytecode_hex, *artifact->immutable_ranges, deployed);
  if (!same) return c.report.fail("liquidator code", contract.checksummed() + ": " + same.error());
  c.report.ok("liquidator code", "the compiled KeeperLiquidator, " +
                                     std::to_string(deployed.size()) +
                                     " bytes, equal outside the " +
                                     std::to_string(artifact->immutable_ranges->size()) +
                                     " places the constructor writes owner and pool");
}

}  // namespace

void check_liquidator(Context& c) {
  if (!c.cfg.liquidator)
    return c.report.skip("liquidator",
                         "no [liquidator] section: keeper calls "
                         "Pool.liquidationCall from the wallet itself");
  const Address contract = c.cfg.liquidator->address;
  auto code = c.rpc.code(contract, std::string{"latest"});
  if (!code) return c.report.fail("liquidator", "eth_getCode: " + code.error().to_string());
  if (code->empty()) {
    c.report.fail("liquidator", "no contract at liquidator.address " + contract.checksummed() +
                                    " on chain " + std::to_string(c.cfg.chain_id) +
                                    ": deploy one with `keeper liquidator deploy` and put its "
                                    "address in the config");
    return;
  }
  c.report.ok("liquidator", contract.checksummed() + " holds a contract");

  auto owner = address_view(c, contract, "owner()(address)");
  if (!owner)
    c.report.fail("liquidator owner",
                  "owner() failed (" + owner.error() + "): not a KeeperLiquidator");
  else if (!c.wallet)
    c.report.skip("liquidator owner", "owned by " + owner->checksummed() +
                                          "; the wallet's address is unknown (see wallet key)");
  else if (*owner != *c.wallet)
    c.report.fail("liquidator owner", "owned by " + owner->checksummed() + ", not by the wallet " +
                                          c.wallet->checksummed() +
                                          ": it would refuse keeper's liquidations");
  else
    c.report.ok("liquidator owner", "the wallet " + c.wallet->checksummed());

  auto pool = address_view(c, contract, "pool()(address)");
  if (!pool)
    c.report.fail("liquidator pool", "pool() failed (" + pool.error() + ")");
  else if (!c.first_market)
    c.report.skip("liquidator pool", "bound to " + pool->checksummed() +
                                         "; the market's Pool is unknown (see market)");
  else if (*pool != c.first_market->pool)
    c.report.fail("liquidator pool", "bound to the Pool " + pool->checksummed() +
                                         ", not to the market's " +
                                         c.first_market->pool.checksummed());
  else
    c.report.ok("liquidator pool", "the market's Pool " + pool->checksummed());

  check_code(c, contract, *code);
}

void check_funding(Context& c) {
  if (!c.wallet) return c.report.skip("funding", "no wallet address (see wallet key)");
  if (!c.first_market) return c.report.skip("funding", "the market was not read (see market)");
  // With funding = "wallet" the debt repaid comes from the wallet: pulled by keeper's contract
  // when one is configured, by the Pool otherwise.
  const bool through_contract = c.cfg.liquidator.has_value();
  const Address spender = through_contract ? c.cfg.liquidator->address : c.first_market->pool;
  const std::string spender_name =
      (through_contract ? "keeper's contract " : "the Pool ") + spender.checksummed();
  devnet::DevChain reader{c.rpc};
  std::vector<std::string> held, unapproved;
  for (const auto& r : c.reserves) {
    auto balance = reader.view(r.asset, "balanceOf(address)(uint256)", {Value{*c.wallet}});
    if (!balance) return c.report.fail("funding", r.symbol + " balanceOf: " + balance.error());
    if ((*balance)[0].as_uint() == 0) continue;
    held.push_back(r.symbol);
    auto allowed = reader.view(r.asset, "allowance(address,address)(uint256)",
                               {Value{*c.wallet}, Value{spender}});
    if (!allowed) return c.report.fail("approvals", r.symbol + " allowance: " + allowed.error());
    // keeper run approves the maximum and re-approves below half of it: the same line here.
    if ((*allowed)[0].as_uint() < (chain::kU256Max >> 1)) unapproved.push_back(r.symbol);
  }
  const auto joined = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  if (held.empty())
    return c.report.fail("funding", "the wallet holds none of the market's " +
                                        std::to_string(c.reserves.size()) +
                                        " assets: with funding = \"wallet\" keeper can repay no "
                                        "debt, so it liquidates nothing");
  c.report.ok("funding", "the wallet holds " + joined(held) + " to repay debt with");
  if (unapproved.empty())
    return c.report.ok("approvals", joined(held) + " approved for " + spender_name);
  c.report.warn("approvals", joined(unapproved) + " not approved for " + spender_name +
                                 " yet: keeper run approves each at its first head, one "
                                 "transaction per asset, before it can liquidate with it");
}

void check_builders(Context& c) {
  const auto& sub = c.cfg.submission;
  if (sub.builders.empty()) {
    c.report.skip("builders", "no builders in [submission]: liquidations go to the node's mempool");
    return;
  }
  for (const auto& url : sub.builders) {
    // Only host[:port] is named: a builder URL's path may carry a key.
    const auto parsed = chain::rpc::parse_http_url(url);
    const std::string name =
        "builder " + (parsed ? parsed->host + ":" + std::to_string(parsed->port) : url);
    auto options = chain::rpc::RpcClientOptions::for_urls({url});
    options.max_attempts = 1;
    options.http.connect_timeout = std::chrono::milliseconds{sub.builder_timeout_ms};
    options.http.request_timeout = std::chrono::milliseconds{sub.builder_timeout_ms};
    options.call_budget = std::chrono::milliseconds{sub.builder_timeout_ms};
    chain::rpc::RpcClient builder{options};
    const auto started = std::chrono::steady_clock::now();
    const auto answer = builder.call("eth_blockNumber", nlohmann::json::array());
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    // A builder refusing a method it does not serve still answered: it is up.
    const bool answered = answer || answer.error().kind == chain::rpc::RpcErrorKind::rpc_error ||
                          answer.error().kind == chain::rpc::RpcErrorKind::http_status;
    if (answered)
      c.report.ok(name, "answers in " + std::to_string(ms) + " ms");
    else
      c.report.fail(name, "does not answer within " + std::to_string(sub.builder_timeout_ms) +
                              " ms: " + answer.error().to_string());
  }
}

}  // namespace keeper::doctor
