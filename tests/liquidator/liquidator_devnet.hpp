#pragma once
// A devnet for the liquidator tests (`keeper devnet up` in a temporary folder, stopped however the
// test ends) and the reads and unlocked sends the tests make on it.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chain/abi/signature.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "keeper/devnet/deployment.hpp"
#include "tests/support/devnet_guard.hpp"

namespace keeper::testing {

class LiquidatorDevnet {
 public:
  // `name` keeps the folders of concurrently running test cases apart.
  LiquidatorDevnet(const std::string& name, std::size_t borrowers);

  [[nodiscard]] const devnet::Deployment& deployment() const { return d_; }
  [[nodiscard]] const std::filesystem::path& dir() const { return guard_.dir; }
  [[nodiscard]] chain::rpc::RpcClient& rpc() { return *rpc_; }
  // " --dir DIR" for keeper devnet subcommands.
  [[nodiscard]] std::string dir_arg() const { return " --dir " + guard_.dir.string(); }

  chain::abi::Values view(const chain::Address& to, const std::string& signature,
                          const chain::abi::Values& args);
  chain::u256 balance_of(const chain::Address& token, const chain::Address& who);
  chain::u256 allowance(const chain::Address& token, const chain::Address& owner,
                        const chain::Address& spender);
  // Sends as an unlocked account and waits for the receipt, whatever its status.
  chain::rpc::Receipt send_as(const chain::Address& from, const chain::Address& to,
                              const chain::Bytes& data);
  chain::rpc::Receipt send_as(const chain::Address& from, const chain::Address& to,
                              const std::string& signature, const chain::abi::Values& args);

 private:
  DevnetGuard guard_;
  devnet::Deployment d_;
  std::unique_ptr<chain::rpc::RpcClient> rpc_;
};

// The decoded parameters of every log of `event` that `emitter` wrote in `receipt`.
std::vector<std::vector<chain::abi::DecodedParam>> logs_of(const chain::rpc::Receipt& receipt,
                                                           const chain::Address& emitter,
                                                           const std::string& event);

struct Candidate {
  chain::Address user;
  const devnet::DeployedAsset* debt = nullptr;
};

// Borrowers by health factor from `keeper devnet report --json`, lowest first: the first with
// WETH collateral and another debt asset (`debt_symbol` when not empty) whose health is below
// (or above) 1, and not in `taken`.
std::optional<Candidate> pick(LiquidatorDevnet& net, bool liquidatable,
                              const std::vector<chain::Address>& taken = {},
                              const std::string& debt_symbol = "");

}  // namespace keeper::testing
