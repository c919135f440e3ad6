#pragma once
// A Morpho Blue market's identity and stored state, as IMorpho.sol lays them out: MarketParams
// (hashed into the market's Id), Market (totals, last accrual, fee) and Position.
#include <string>

#include "chain/abi/value.hpp"
#include "chain/address.hpp"
#include "chain/bytes.hpp"
#include "chain/uint256.hpp"

namespace protocols::morpho_blue {

using chain::Address;
using chain::u256;
using MarketId = chain::Hash;

struct MarketParams {
  Address loan_token;
  Address collateral_token;
  Address oracle;
  Address irm;
  u256 lltv;  // WAD

  friend bool operator==(const MarketParams&, const MarketParams&) = default;
};

// keccak256 of the five words of MarketParams, as MarketParamsLib.id computes it.
[[nodiscard]] MarketId market_id(const MarketParams& params);
// The `(address,address,address,address,uint256)` tuple, for call data.
[[nodiscard]] chain::abi::Value to_abi(const MarketParams& params);
// The ABI type text of that tuple, for signatures.
inline constexpr const char* kMarketParamsTuple = "(address,address,address,address,uint256)";

// Morpho.market(id): all uint128 on chain, held wide here so intermediate sums cannot wrap.
struct MarketTotals {
  u256 total_supply_assets;
  u256 total_supply_shares;
  u256 total_borrow_assets;
  u256 total_borrow_shares;
  u256 last_update;  // seconds
  u256 fee;          // WAD
  friend bool operator==(const MarketTotals&, const MarketTotals&) = default;
};

// Morpho.position(id, user).
struct Position {
  u256 supply_shares;
  u256 borrow_shares;
  u256 collateral;
  friend bool operator==(const Position&, const Position&) = default;
};

[[nodiscard]] std::string market_id_hex(const MarketId& id);

}  // namespace protocols::morpho_blue
