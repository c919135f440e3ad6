#pragma once
// What keeper can pay liquidations with, known without a round trip on the send path: the
// payer's balance of each debt asset (read at a head, off the path between a price and the wire),
// less what keeper's own transactions in flight will take. A liquidation the payer cannot fund
// would revert: the strategy sizes it to this instead.
#include <map>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "chain/uint256.hpp"

namespace keeper::engine {

class Inventory {
 public:
  // `payer` holds the tokens; `spender` is who pulls them (the Pool, or keeper's contract).
  Inventory(chain::rpc::RpcClient& rpc, chain::Address payer, chain::Address spender)
      : rpc_{rpc}, payer_{payer}, spender_{spender} {}

  // Balances and allowances of `assets` at `block`, in one batch. Returns the assets whose
  // allowance to the spender is below half the maximum (they need an approval).
  [[nodiscard]] tl::expected<std::vector<chain::Address>, std::string> refresh(
      const std::vector<chain::Address>& assets, std::uint64_t block);

  // An in-flight liquidation under `key` will take `amount` of `asset`; released when it settles.
  void commit(const std::string& key, const chain::Address& asset, const chain::u256& amount);
  void release(const std::string& key);

  // Asset -> balance less commitments; only assets read by `refresh`.
  [[nodiscard]] const std::map<chain::Address, chain::u256>& available() const noexcept {
    return available_;
  }
  [[nodiscard]] bool read() const noexcept { return !balances_.empty(); }

 private:
  void recompute();

  chain::rpc::RpcClient& rpc_;
  chain::Address payer_;
  chain::Address spender_;
  std::map<chain::Address, chain::u256> balances_;
  std::map<std::string, std::pair<chain::Address, chain::u256>> committed_;
  std::map<chain::Address, chain::u256> available_;
};

}  // namespace keeper::engine
