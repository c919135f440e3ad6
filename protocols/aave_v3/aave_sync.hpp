#pragma once
// Reads an Aave V3 market from chain at one block: contracts from the PoolAddressesProvider,
// every reserve (configuration, indexes, rates, tokens, price and its source), eMode categories,
// the accounts that ever touched the Pool (from its logs), and their exact positions.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "chain/rpc/log_backfill.hpp"
#include "protocols/aave_v3/market.hpp"

namespace protocols::aave_v3 {

struct AaveContracts {
  chain::Address provider;
  chain::Address pool;
  chain::Address oracle;
  chain::Address data_provider;
};

class AaveSync {
 public:
  AaveSync(chain::rpc::RpcClient& rpc, const chain::Address& provider)
      : rpc_{rpc}, provider_{provider} {}

  [[nodiscard]] tl::expected<AaveContracts, std::string> contracts(std::uint64_t block);
  [[nodiscard]] tl::expected<protocols::aave_v3::Market, std::string> market(const AaveContracts& c,
                                                                             std::uint64_t block);
  // Every address named as a position owner in the Pool's logs within [from, to].
  [[nodiscard]] tl::expected<std::vector<chain::Address>, std::string> discover_accounts(
      const AaveContracts& c, std::uint64_t from, std::uint64_t to,
      const chain::rpc::ProgressHandler& progress = {});
  [[nodiscard]] tl::expected<std::map<chain::Address, protocols::aave_v3::Account>, std::string>
  accounts(const AaveContracts& c, const protocols::aave_v3::Market& market,
           const std::vector<chain::Address>& who, std::uint64_t block);

 private:
  chain::rpc::RpcClient& rpc_;
  chain::Address provider_;
};

}  // namespace protocols::aave_v3
