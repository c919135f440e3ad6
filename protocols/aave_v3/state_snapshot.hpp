#pragma once
// An Aave V3 market's state at one block, as keeper keeps it between runs: every known account,
// the market and every position. keeper/market/snapshot.hpp writes and reads it.
#include <cstdint>
#include <map>
#include <optional>
#include <set>

#include "chain/address.hpp"
#include "protocols/aave_v3/market.hpp"

namespace protocols::aave_v3 {

struct StateSnapshot {
  std::uint64_t chain_id = 0;
  chain::Address provider;  // the market's PoolAddressesProvider
  std::uint64_t block = 0;  // the state is as of this block
  chain::Hash block_hash{};
  std::set<chain::Address> accounts;  // every account seen in the Pool's logs up to `block`
  // Absent while the first backfill is still in progress: `accounts` is then its progress.
  std::optional<Market> market;
  std::map<chain::Address, Account> positions;
};

}  // namespace protocols::aave_v3
