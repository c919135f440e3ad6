#include "tests/liquidator/liquidator_devnet.hpp"

#include <unistd.h>

#include <algorithm>
#include <thread>

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "keeper/process/anvil.hpp"
#include "tests/support/run_command.hpp"

namespace keeper::testing {

namespace fs = std::filesystem;

LiquidatorDevnet::LiquidatorDevnet(const std::string& name, std::size_t borrowers)
    : guard_{fs::temp_directory_path() /
             ("keeper-liquidator-" + name + "-" + std::to_string(::getpid()))} {
  fs::remove_all(guard_.dir);
  const auto port = pick_free_port().value();
  const auto up = run_command(keeper_command("devnet up --block-time 0 --borrowers " +
                                             std::to_string(borrowers) + " --seed 3 --port " +
                                             std::to_string(port) + dir_arg()));
  INFO(up.output);
  REQUIRE(up.exit_code == 0);
  d_ = devnet::read_deployment(guard_.dir / "deployment.json").value();
  rpc_ = std::make_unique<chain::rpc::RpcClient>(
      chain::rpc::RpcClientOptions::for_urls({d_.http_url}));
}

chain::abi::Values LiquidatorDevnet::view(const chain::Address& to, const std::string& signature,
                                          const chain::abi::Values& args) {
  const auto fn = chain::abi::parse_function(signature).value();
  const auto out = rpc_->eth_call(
      {std::nullopt, to, fn.encode_call(args).value(), std::nullopt, std::nullopt}, "latest");
  INFO(signature);
  REQUIRE(out.has_value());
  return fn.decode_output(*out).value();
}

chain::u256 LiquidatorDevnet::balance_of(const chain::Address& token, const chain::Address& who) {
  return view(token, "balanceOf(address)(uint256)", {chain::abi::Value{who}})[0].as_uint();
}

chain::u256 LiquidatorDevnet::allowance(const chain::Address& token, const chain::Address& owner,
                                        const chain::Address& spender) {
  return view(token, "allowance(address,address)(uint256)",
              {chain::abi::Value{owner}, chain::abi::Value{spender}})[0]
      .as_uint();
}

chain::rpc::Receipt LiquidatorDevnet::send_as(const chain::Address& from, const chain::Address& to,
                                              const chain::Bytes& data) {
  // An explicit gas limit: anvil then mines a reverting call instead of refusing it.
  const nlohmann::json tx{{"from", from.lower_hex()},
                          {"to", to.lower_hex()},
                          {"data", chain::hex_encode(data)},
                          {"gas", "0x1000000"}};
  const auto hash = rpc_->call("eth_sendTransaction", nlohmann::json::array({tx}));
  REQUIRE(hash.has_value());
  const auto h = chain::hex_decode_fixed<32>(hash->get<std::string>()).value();
  for (int i = 0; i < 500; ++i) {
    auto receipt = rpc_->receipt(h);
    REQUIRE(receipt.has_value());
    if (*receipt) return **receipt;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  FAIL("no receipt within 5 s");
  return {};
}

chain::rpc::Receipt LiquidatorDevnet::send_as(const chain::Address& from, const chain::Address& to,
                                              const std::string& signature,
                                              const chain::abi::Values& args) {
  return send_as(from, to, chain::abi::encode_call(signature, args).value());
}

std::vector<std::vector<chain::abi::DecodedParam>> logs_of(const chain::rpc::Receipt& receipt,
                                                           const chain::Address& emitter,
                                                           const std::string& event) {
  const auto e = chain::abi::parse_event(event).value();
  std::vector<std::vector<chain::abi::DecodedParam>> out;
  for (const auto& log : receipt.logs) {
    if (log.address != emitter || log.topics.empty() || log.topics[0] != e.topic0) continue;
    out.push_back(chain::abi::decode_log(e, log.topics, log.data).value());
  }
  return out;
}

std::optional<Candidate> pick(LiquidatorDevnet& net, bool liquidatable,
                              const std::vector<chain::Address>& taken,
                              const std::string& debt_symbol) {
  const chain::u256 one{1'000'000'000'000'000'000ULL};
  const auto report = run_command(keeper_command("devnet report --json" + net.dir_arg()));
  REQUIRE(report.exit_code == 0);
  const auto doc = nlohmann::json::parse(report.output);
  const auto& d = net.deployment();
  for (const auto& row : doc.at("accounts")) {
    const auto hf = chain::u256_from_dec(row.at("health_factor").get<std::string>()).value();
    if ((hf < one) != liquidatable) continue;
    const auto account = chain::Address::from_hex(row.at("account").get<std::string>()).value();
    if (std::find(taken.begin(), taken.end(), account) != taken.end()) continue;
    for (const auto& b : d.borrowers) {
      if (b.address == account && b.collateral.front() == "WETH" && b.debt != "WETH" &&
          (debt_symbol.empty() || b.debt == debt_symbol))
        return Candidate{account, d.asset(b.debt)};
    }
  }
  return std::nullopt;
}

}  // namespace keeper::testing
