#pragma once
// Every followed market of one Morpho Blue contract and every position in it, kept true at each
// head: markets found from CreateMarket logs (or configured), positions named by Morpho's logs and
// re-read from chain (so the state is what Morpho stores, never a replay that could drift), totals,
// oracle prices and IRM rates read in one batch per head. Each market's oracle is followed back to
// its Chainlink feeds when it has MorphoChainlinkOracleV2's shape, so a feed's AnswerUpdated moves
// the market's price without a round trip.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "chain/rpc/rpc_client.hpp"
#include "protocols/morpho_blue/morpho_reads.hpp"

namespace protocols::morpho_blue {

// A token of some market, and the USD feed that prices it (when an oracle names one).
struct Asset {
  Address token;
  std::string symbol;
  unsigned decimals = 18;
  std::optional<Address> feed;     // the Chainlink proxy the oracle reads
  std::optional<Address> emitter;  // where AnswerUpdated comes from (the proxy's aggregator)
  unsigned feed_decimals = 8;
  u256 answer;  // the feed's latest answer (0: none, or negative)
};

// price() = SCALE_FACTOR * answer(base feed) / answer(quote feed), when the oracle is a
// Chainlink-feed oracle with one feed per side and no vaults.
struct OracleForm {
  std::size_t base_asset = 0;   // index into assets: the collateral
  std::size_t quote_asset = 0;  // the loan token
  u256 scale_factor;
};

struct BookMarket {
  MarketState state;
  std::size_t loan_asset = 0;
  std::size_t collateral_asset = 0;
  std::optional<OracleForm> oracle_form;  // none: the price moves only at heads
};

struct BookUpdate {
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  std::size_t logs = 0;
  std::size_t new_markets = 0;
  std::vector<Address> touched;
  std::size_t accounts_new = 0;
  std::map<std::string, std::uint64_t> events;
};

class MorphoBook {
 public:
  MorphoBook(chain::rpc::RpcClient& rpc, const Address& morpho, std::vector<MarketId> market_ids,
             std::uint64_t start_block)
      : rpc_{rpc}, morpho_{morpho}, configured_{std::move(market_ids)}, start_block_{start_block} {}

  // Reads everything as of `block` (backfilling Morpho's logs from start_block).
  [[nodiscard]] tl::expected<void, std::string> load(std::uint64_t block, std::uint64_t timestamp);
  // Applies the logs of (block(), head] and re-reads what they name, then every market's totals,
  // price and rate, and every feed's answer, at `head`.
  [[nodiscard]] tl::expected<BookUpdate, std::string> advance(std::uint64_t head,
                                                              std::uint64_t timestamp);

  [[nodiscard]] bool ready() const noexcept { return loaded_; }
  [[nodiscard]] std::uint64_t block() const noexcept { return block_; }
  [[nodiscard]] std::uint64_t timestamp() const noexcept { return timestamp_; }
  [[nodiscard]] const Address& morpho() const noexcept { return morpho_; }
  [[nodiscard]] const std::vector<BookMarket>& markets() const noexcept { return markets_; }
  [[nodiscard]] const std::vector<Asset>& assets() const noexcept { return assets_; }
  // Accounts with a position, and the markets they are in.
  [[nodiscard]] const std::map<Address, std::set<std::size_t>>& accounts() const noexcept {
    return accounts_;
  }
  [[nodiscard]] const BookMarket* market(const MarketId& id) const;

 private:
  tl::expected<void, std::string> add_markets(const std::vector<MarketId>& ids,
                                              std::uint64_t block);
  tl::expected<std::size_t, std::string> add_asset(const Address& token, std::uint64_t block);
  void follow_oracle(BookMarket& m, std::uint64_t block);
  tl::expected<void, std::string> read_answers(std::uint64_t block);
  tl::expected<void, std::string> read_positions(
      const std::set<std::pair<MarketId, Address>>& which, std::uint64_t block);
  bool followed(const MarketId& id) const;

  chain::rpc::RpcClient& rpc_;
  Address morpho_;
  std::vector<MarketId> configured_;
  std::uint64_t start_block_ = 0;
  bool loaded_ = false;
  std::uint64_t block_ = 0;
  std::uint64_t timestamp_ = 0;
  std::vector<BookMarket> markets_;
  std::vector<Asset> assets_;
  std::map<Address, std::set<std::size_t>> accounts_;
};

// A market's oracle price with feed answers replaced by `answers` (by asset index); nullopt when
// the oracle's form is unknown or an answer is zero.
[[nodiscard]] std::optional<u256> oracle_price(const OracleForm& form,
                                               const std::vector<u256>& answers);

}  // namespace protocols::morpho_blue
