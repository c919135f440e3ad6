#pragma once
// keeper's configuration: the typed schema, and loading from TOML with errors that name the file,
// line and key. Unknown keys are errors: a typo in a money-handling config must not pass silently.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "chain/uint256.hpp"

namespace config {

struct ConfigError {
  std::string source;    // file name
  std::size_t line = 0;  // 0 when not tied to a line
  std::string key;       // dotted path: "strategy.min_profit_usd"
  std::string message;
  [[nodiscard]] std::string to_string() const;
};

struct NodeConfig {
  std::string http_url;
  std::string ws_url;
  std::vector<std::string> extra_http_urls;
  std::uint32_t request_timeout_ms = 10'000;
  // While the WebSocket is down, heads are polled over HTTP this often (about the block time).
  std::uint32_t head_poll_ms = 1'000;
};

struct MarketConfig {
  std::string protocol;  // "aave-v3" or "morpho-blue"
  std::string name;
  chain::Address pool_addresses_provider;  // aave-v3
  chain::Address morpho;                   // morpho-blue: the Morpho contract
  // morpho-blue: the markets to follow; empty: every market created on `morpho`.
  std::vector<chain::Hash> market_ids;
  std::uint64_t start_block = 0;
  std::size_t start_block_line = 0;  // for errors found later, against the chain (0: not set)
  // false: the daemon follows and reports this market (would_liquidate, as a dry run) but sends
  // nothing for it: a market being brought up, or one whose execution is not trusted yet.
  bool execute = true;
};

struct WalletConfig {
  std::optional<std::string> private_key_env;
  std::optional<std::filesystem::path> keystore;
  std::optional<std::string> password_env;
  std::optional<std::filesystem::path> password_file;
};

struct StrategyConfig {
  std::string name = "aave-v3-direct";
  double min_profit_usd = 1.0;
  chain::u256 max_fee_per_gas_wei = chain::u256{200} * 1'000'000'000;
  chain::u256 max_priority_fee_per_gas_wei = chain::u256{3} * 1'000'000'000;
  double max_debt_to_cover_usd = 1'000'000.0;
  std::vector<std::string> allow_assets;
  std::vector<std::string> deny_assets;
  bool receive_a_token = false;
  // Where the debt asset comes from: "wallet" (pulled from keeper's wallet), "contract" (held by
  // keeper's contract), "flash" (borrowed for the transaction, repaid from the seized collateral
  // sold on the DEX: no inventory at all).
  std::string funding = "wallet";
  std::size_t funding_line = 0;  // for errors found against other sections
  double hf_watch_band = 1.05;
  double bid_share = 0.5;  // of the profit per gas above the base fee, offered as the tip
  // The wrapped native token's reserve (WETH on Ethereum): gas is valued at its oracle price.
  std::optional<chain::Address> native_asset;
};

struct TransactionsConfig {
  // Unset: <state_dir>/<chain id>-<genesis hash>/journal.log, so no two chains share one.
  std::optional<std::filesystem::path> journal_path;
  // Unset: $XDG_STATE_HOME/keeper when set, else keeper-state/ next to the config.
  std::optional<std::filesystem::path> state_dir;
  std::uint64_t confirmations_timeout_blocks = 3;  // replace or cancel after this many blocks
  double fee_bump_percent = 12.5;                  // >= 10: nodes refuse smaller replacements
  chain::u256 max_gas_spend_per_hour_wei = chain::u256{500'000'000'000'000'000ULL};  // 0.5 ETH
  double gas_limit_multiplier = 1.2;
  // Nonces left unoccupied below the journal's highest are filled at start with 0-value
  // self-transfers, up to this many; beyond it (or with 0) keeper refuses to start.
  std::uint64_t max_nonce_gap_fill = 16;
};

// Operators' endpoints, always on 127.0.0.1: Prometheus text at /metrics and /healthz.
struct MetricsConfig {
  std::uint16_t port = 9464;         // 0: a free port, logged at start
  double max_head_lag_seconds = 60;  // /healthz is 503 beyond it
};

// Where keeper keeps its market state between runs, so a restart resumes from the snapshot's
// block instead of backfilling from start_block.
struct StateConfig {
  std::filesystem::path snapshot_path;  // relative to the config file's folder
  std::uint64_t snapshot_every_blocks = 50;
};

// keeper's own liquidator contract (contracts/KeeperLiquidator.sol), deployed with
// `keeper liquidator deploy` and owned by the wallet.
struct LiquidatorConfig {
  chain::Address address;
};

// Uniswap V3, where flash liquidations sell the seized collateral for the debt asset.
struct DexConfig {
  chain::Address uniswap_v3_factory;
  chain::Address uniswap_v3_router;                 // SwapRouter of v3-periphery
  std::optional<chain::Address> uniswap_v3_quoter;  // QuoterV2: only cross-checks local quotes
};

// Where liquidations go: the public mempool, bundles to block builders, or both at once.
struct SubmissionConfig {
  std::string mode = "public";        // "public" | "bundle" | "both"
  std::vector<std::string> builders;  // eth_sendBundle endpoints, http://host:port/path
  // The environment variable holding the searcher key that signs X-Flashbots-Signature: a key
  // that only identifies keeper to builders and must hold no funds.
  std::optional<std::string> searcher_key_env;
  std::uint32_t builder_timeout_ms = 2000;
  std::uint64_t bundle_blocks = 3;  // blocks a bundle is offered for before it is stale
  // Order-flow auctions (Flashbots MEV-Share): the event streams whose hints name pending
  // oracle updates (Chainlink SVR), and the mev_sendBundle endpoints that take the backruns.
  std::vector<std::string> mev_share_streams;    // http(s)://, e.g. https://mev-share.flashbots.net
  std::vector<std::string> mev_share_endpoints;  // http:// only for now
  std::uint64_t mev_share_blocks = 3;  // a backrun may land in head+1 .. head+mev_share_blocks
  // The share of the profit per gas above the base fee a backrun offers (the auction's bid);
  // absent: [strategy] bid_share, as the public path.
  std::optional<double> mev_share_bid_share;
  // PEM certificates trusted for https builders and MEV-Share endpoints besides the system's
  // store (a relay behind a private CA); the host name is verified either way.
  std::optional<std::string> tls_ca_file{};
};

// A standby pair: two instances with the same key, one leader at a time through a lease in Redis
// (keeper/standby/). Absent: this instance always sends.
struct StandbyConfig {
  std::string redis_url;           // redis://[:password@]host[:port][/db]
  std::uint32_t lease_ms = 3000;   // the leader renews every third of it; a follower takes over
                                   // at most this long after the leader's death
  std::uint32_t timeout_ms = 250;  // every Redis call, connect included
  std::string name = "keeper";     // in the lease's value and the logs
};

struct KeeperConfig {
  std::uint64_t chain_id = 0;
  NodeConfig node;
  std::vector<MarketConfig> markets;
  std::optional<WalletConfig> wallet;
  StrategyConfig strategy;
  TransactionsConfig transactions;
  std::optional<MetricsConfig> metrics;        // absent: no listener
  std::optional<StateConfig> state;            // absent: every start backfills from start_block
  std::optional<LiquidatorConfig> liquidator;  // absent: no contract deployed (yet)
  std::optional<DexConfig> dex;                // absent: no swaps, so no flash funding
  SubmissionConfig submission;
  std::optional<StandbyConfig> standby;  // absent: no standby pair
  std::filesystem::path base_dir;  // the config file's folder: relative paths resolve against it
  std::string source;              // the file name errors are reported against
};

[[nodiscard]] tl::expected<KeeperConfig, ConfigError> parse_config(const std::string& text,
                                                                   const std::string& source_name);
[[nodiscard]] tl::expected<KeeperConfig, ConfigError> load_config_file(
    const std::filesystem::path& path);

// "0.5" ETH -> 500000000000000000 wei, exactly; `decimals` is 18 for ETH and 9 for gwei.
[[nodiscard]] tl::expected<chain::u256, std::string> decimal_to_units(const std::string& text,
                                                                      unsigned decimals);

}  // namespace config
