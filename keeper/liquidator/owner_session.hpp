#pragma once
// The start of every `keeper liquidator` command: the config, a client for its node (checked to be
// on the configured chain), the wallet's key (the contract's owner) and the Pool of the config's
// first market, which the contract is bound to.
#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "chain/rpc/rpc_client.hpp"
#include "chain/signer.hpp"
#include "config/keeper_config.hpp"
#include "keeper/liquidator/signed_sender.hpp"
#include "protocols/aave_v3/aave_sync.hpp"

namespace keeper::liquidator {

struct OwnerSession {
  config::KeeperConfig config;
  std::unique_ptr<chain::rpc::RpcClient> rpc;
  chain::PrivateKey key;
  protocols::aave_v3::AaveContracts market;  // market.pool is the Pool the contract liquidates on
  std::uint64_t block = 0;                   // the head when the session opened

  // Fee caps and gas margin from [strategy] and [transactions].
  [[nodiscard]] SendLimits send_limits() const;
};

[[nodiscard]] tl::expected<OwnerSession, std::string> open_owner_session(
    const std::string& config_path);

}  // namespace keeper::liquidator
