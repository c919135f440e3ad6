#pragma once
// Morpho Blue positions for `keeper scan` and `keeper account`: every position of a configured
// Morpho market at one block, with its health computed as Morpho._isHealthy does after accruing
// interest to that block's timestamp.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "chain/rpc/rpc_client.hpp"
#include "config/keeper_config.hpp"

namespace keeper {

struct MorphoRow {
  chain::Address account;
  std::string market_name;  // the config's name of the Morpho entry
  std::string market_id;    // 0x…
  std::string label;        // "WETH/USDC 86%"
  chain::u256 collateral;   // collateral token units
  chain::u256 borrow_shares;
  chain::u256 borrowed;       // loan token units, rounded up as Morpho does
  chain::u256 max_borrow;     // loan token units
  chain::u256 health_factor;  // max_borrow / borrowed, WAD (kU256Max without debt)
  bool healthy = true;
  unsigned collateral_decimals = 18;
  unsigned loan_decimals = 18;
};

// Every position of the Morpho market entry `market` at `block` (only `account`'s when given).
[[nodiscard]] tl::expected<std::vector<MorphoRow>, std::string> morpho_rows(
    chain::rpc::RpcClient& rpc, const config::MarketConfig& market, std::uint64_t block,
    std::uint64_t timestamp, const std::optional<chain::Address>& account = std::nullopt);

[[nodiscard]] nlohmann::json to_json(const MorphoRow& row);
// One line of a table: account, market, health, collateral, debt and max borrow in token units.
[[nodiscard]] std::string table_line(const MorphoRow& row);
[[nodiscard]] std::string table_header();

}  // namespace keeper
