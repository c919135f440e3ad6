#pragma once
// Sends a call as an account anvil holds unlocked (or impersonates) and waits, bounded, for its
// receipt: how tests act as competitors, liquidators and admins on the devnet.
#include <optional>
#include <string>

#include "chain/abi/signature.hpp"
#include "chain/rpc/rpc_client.hpp"

namespace keeper::testing {

// nullopt when the node refused it or it was not mined within 5 s.
std::optional<chain::rpc::Receipt> send_unlocked(chain::rpc::RpcClient& rpc,
                                                 const chain::Address& from,
                                                 const chain::Address& to,
                                                 const std::string& signature,
                                                 const chain::abi::Values& args);

}  // namespace keeper::testing
