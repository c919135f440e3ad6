#pragma once
// The groups of checks `keeper doctor` runs, in order, and what they learn for the ones after
// them. Internal to keeper/doctor.
#include <optional>
#include <string>
#include <vector>

#include "chain/rpc/rpc_client.hpp"
#include "keeper/doctor/doctor.hpp"
#include "protocols/aave_v3/aave_sync.hpp"

namespace keeper::doctor {

struct Reserve {
  std::string symbol;
  chain::Address asset;
};

struct Context {
  const config::KeeperConfig& cfg;
  const DoctorOptions& options;
  chain::rpc::RpcClient& rpc;  // every configured HTTP URL, as keeper run uses them
  Report& report;
  // Learned along the way; a check that needs one that is missing is skipped, saying why.
  std::optional<chain::rpc::BlockHeader> head;
  std::optional<chain::Address> wallet;
  std::optional<protocols::aave_v3::AaveContracts> first_market;
  std::vector<Reserve> reserves;  // of the first market, the one keeper run follows
};

// HTTP endpoints, chain id, sync state and head age. false: the chain cannot be read (no node
// answers, or it is another chain): checks that read it are skipped.
bool check_node(Context& c);
// The WebSocket endpoint: reachable, same chain, mempool subscription.
void check_websocket(Context& c);
void check_wallet_key(Context& c);
void check_wallet_gas(Context& c);
void check_markets(Context& c);
void check_liquidator(Context& c);
void check_funding(Context& c);
void check_builders(Context& c);

// "1.2345 ETH"
[[nodiscard]] std::string eth_text(const chain::u256& wei);

}  // namespace keeper::doctor
