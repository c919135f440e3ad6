#pragma once
// The readers of keeper.toml's sections, one per table, that parse_config wires together. Each
// checks its table's keys and ranges and returns the typed section or the first error. Internal to
// the config module.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "config/config_reader.hpp"
#include "config/keeper_config.hpp"

namespace config::detail {

// config/read_sections_chain.cpp: the node keeper talks to, the markets it follows, its wallet and
// its state snapshot.
[[nodiscard]] tl::expected<NodeConfig, ConfigError> read_node(const Reader& r, const Value& node);
// Why `m` repeats a market already configured (one daemon follows each market once: twice would
// liquidate every account twice and label two engines alike); nullopt when it does not.
[[nodiscard]] std::optional<std::string> duplicate_of(const std::vector<MarketConfig>& before,
                                                      const MarketConfig& m);
[[nodiscard]] tl::expected<MarketConfig, ConfigError> read_market(const Reader& r, const Value& m,
                                                                  std::size_t index);
[[nodiscard]] tl::expected<WalletConfig, ConfigError> read_wallet(const Reader& r, const Value& w);
[[nodiscard]] tl::expected<StateConfig, ConfigError> read_state(const Reader& r, const Value& t);

// config/read_sections_sending.cpp: what keeper bids and how it sends and replaces transactions.
[[nodiscard]] tl::expected<StrategyConfig, ConfigError> read_strategy(const Reader& r,
                                                                      const Value& s);
[[nodiscard]] tl::expected<TransactionsConfig, ConfigError> read_transactions(const Reader& r,
                                                                              const Value& t);
[[nodiscard]] tl::expected<SubmissionConfig, ConfigError> read_submission(const Reader& r,
                                                                          const Value& t);

// config/read_sections_contracts.cpp: keeper's liquidator contract and the DEX it sells on.
[[nodiscard]] tl::expected<LiquidatorConfig, ConfigError> read_liquidator(const Reader& r,
                                                                          const Value& t);
[[nodiscard]] tl::expected<DexConfig, ConfigError> read_dex(const Reader& r, const Value& t);

// config/read_sections_ops.cpp: metrics and the leader lease of a standby pair.
[[nodiscard]] tl::expected<MetricsConfig, ConfigError> read_metrics(const Reader& r,
                                                                    const Value& t);
[[nodiscard]] tl::expected<StandbyConfig, ConfigError> read_standby(const Reader& r,
                                                                    const Value& t);

}  // namespace config::detail
