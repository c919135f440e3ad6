#pragma once
// Reads Morpho Blue markets from chain at one block, in JSON-RPC batches: each market's parameters
// (idToMarketParams), totals (market), oracle price (price(), 1e36-scaled), the IRM's rate for the
// stored state (borrowRateView), and positions (position).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "chain/rpc/rpc_client.hpp"
#include "protocols/morpho_blue/market_params.hpp"

namespace protocols::morpho_blue {

// One market as of one block: all that health, accrual and liquidation need.
struct MarketState {
  MarketId id{};
  MarketParams params;
  MarketTotals totals;
  u256 price;        // the oracle's price() at the block
  u256 borrow_rate;  // the IRM's borrowRateView(params, totals) at the block; 0 without an IRM
  std::map<Address, Position> positions;
};

class MorphoReader {
 public:
  MorphoReader(chain::rpc::RpcClient& rpc, const Address& morpho) : rpc_{rpc}, morpho_{morpho} {}

  // Parameters, totals, price and rate of each market (no positions); an Id Morpho does not know
  // is an error naming it.
  [[nodiscard]] tl::expected<std::vector<MarketState>, std::string> markets(
      const std::vector<MarketId>& ids, std::uint64_t block);
  // Totals, price and rate again, for markets whose parameters are known.
  [[nodiscard]] tl::expected<void, std::string> refresh(std::vector<MarketState>& markets,
                                                        std::uint64_t block);
  // Morpho.position(id, user) for each pair.
  [[nodiscard]] tl::expected<std::vector<Position>, std::string> positions(
      const std::vector<std::pair<MarketId, Address>>& which, std::uint64_t block);

 private:
  chain::rpc::RpcClient& rpc_;
  Address morpho_;
};

}  // namespace protocols::morpho_blue
