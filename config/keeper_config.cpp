#include "config/keeper_config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <toml.hpp>

#include "chain/hex.hpp"

#include "chain/rpc/http_url.hpp"
#include "config/toml_integer.hpp"
#include "config/toml_nesting.hpp"
#include "config/utf8_check.hpp"

namespace config {
namespace {

using Value = toml::value;

class Reader {
 public:
  explicit Reader(std::string source) : source_{std::move(source)} {}

  ConfigError error(const Value& at, const std::string& key, const std::string& message) const {
    return ConfigError{source_, at.location().line(), key, message};
  }
  ConfigError error(const std::string& key, const std::string& message) const {
    return ConfigError{source_, 0, key, message};
  }

  // Every key of `table` must be one of `allowed`.
  tl::expected<void, ConfigError> only(const Value& table, const std::string& prefix,
                                       const std::set<std::string>& allowed) const {
    for (const auto& [k, v] : table.as_table()) {
      if (!allowed.count(k)) return tl::unexpected(error(v, prefix + k, "unknown key"));
    }
    return {};
  }

  template <class T>
  tl::expected<std::optional<T>, ConfigError> optional(const Value& table,
                                                       const std::string& prefix,
                                                       const std::string& key) const {
    if (!table.contains(key)) return std::optional<T>{};
    const Value& v = table.at(key);
    try {
      // `max_head_lag_seconds = 60` means 60.0: TOML integers are accepted where numbers are.
      if constexpr (std::is_floating_point_v<T>)
        if (v.is_integer()) return std::optional<T>{static_cast<T>(v.as_integer())};
      return std::optional<T>{toml::get<T>(v)};
    } catch (const toml::type_error&) {
      return tl::unexpected(
          error(v, prefix + key,
                std::string{"has the wrong type (expected "} + expected_name<T>() + ")"));
    }
  }

  template <class T>
  tl::expected<T, ConfigError> required(const Value& table, const std::string& prefix,
                                        const std::string& key) const {
    auto v = optional<T>(table, prefix, key);
    if (!v) return tl::unexpected(v.error());
    if (!*v)
      return tl::unexpected(
          ConfigError{source_, table.location().line(), prefix + key, "is required"});
    return **v;
  }

 private:
  template <class T>
  static const char* expected_name() {
    if constexpr (std::is_same_v<T, std::string>) return "a string";
    if constexpr (std::is_same_v<T, bool>) return "true or false";
    if constexpr (std::is_floating_point_v<T>) return "a number";
    if constexpr (std::is_integral_v<T>) return "an integer";
    return "a list";
  }
  std::string source_;
};

// `var` is a declarator, which cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define KEEPER_CFG(var, expr) \
  auto var = (expr);          \
  if (!var) return tl::unexpected(var.error())
// NOLINTEND(bugprone-macro-parentheses)

bool has_scheme(const std::string& url, std::initializer_list<const char*> schemes) {
  for (const char* s : schemes)
    if (url.rfind(s, 0) == 0 && url.size() > std::char_traits<char>::length(s)) return true;
  return false;
}

tl::expected<NodeConfig, ConfigError> read_node(const Reader& r, const Value& node) {
  if (!node.is_table()) return tl::unexpected(r.error(node, "node", "must be a table"));
  KEEPER_CFG(
      ok, r.only(node, "node.",
                 {"http_url", "ws_url", "extra_http_urls", "request_timeout_ms", "head_poll_ms"}));
  NodeConfig n;
  KEEPER_CFG(http, r.required<std::string>(node, "node.", "http_url"));
  KEEPER_CFG(ws, r.required<std::string>(node, "node.", "ws_url"));
  if (!has_scheme(*http, {"http://", "https://"}))
    return tl::unexpected(
        r.error(node.at("http_url"), "node.http_url", "must start with http:// or https://"));
  if (!has_scheme(*ws, {"ws://", "wss://"}))
    return tl::unexpected(
        r.error(node.at("ws_url"), "node.ws_url", "must start with ws:// or wss://"));
  n.http_url = *http;
  n.ws_url = *ws;
  KEEPER_CFG(extra, r.optional<std::vector<std::string>>(node, "node.", "extra_http_urls"));
  if (*extra) {
    for (const auto& u : **extra)
      if (!has_scheme(u, {"http://", "https://"}))
        return tl::unexpected(r.error(node.at("extra_http_urls"), "node.extra_http_urls",
                                      "'" + u + "' is not an http(s) URL"));
    n.extra_http_urls = **extra;
  }
  KEEPER_CFG(timeout, r.optional<std::int64_t>(node, "node.", "request_timeout_ms"));
  if (*timeout) {
    if (**timeout < 100 || **timeout > 600'000)
      return tl::unexpected(r.error(node.at("request_timeout_ms"), "node.request_timeout_ms",
                                    "must be between 100 and 600000"));
    n.request_timeout_ms = static_cast<std::uint32_t>(**timeout);
  }
  KEEPER_CFG(poll, r.optional<std::int64_t>(node, "node.", "head_poll_ms"));
  if (*poll) {
    if (**poll < 50 || **poll > 600'000)
      return tl::unexpected(
          r.error(node.at("head_poll_ms"), "node.head_poll_ms", "must be between 50 and 600000"));
    n.head_poll_ms = static_cast<std::uint32_t>(**poll);
  }
  return n;
}

// Why `m` repeats a market already configured (one daemon follows each market once: twice would
// liquidate every account twice and label two engines alike); nullopt when it does not.
std::optional<std::string> duplicate_of(const std::vector<MarketConfig>& before,
                                        const MarketConfig& m) {
  for (std::size_t j = 0; j < before.size(); ++j) {
    const auto& b = before[j];
    const std::string other = "markets[" + std::to_string(j) + "]";
    if (b.name == m.name)
      return "the name '" + m.name + "' is already " + other +
             "'s (each market needs a name of its own: it labels its logs and metrics)";
    if (b.protocol != m.protocol) continue;
    if (m.protocol == "aave-v3" && b.pool_addresses_provider == m.pool_addresses_provider)
      return "the same Aave market (pool_addresses_provider " +
             m.pool_addresses_provider.checksummed() + ") as " + other;
    if (m.protocol == "morpho-blue" && b.morpho == m.morpho) {
      if (b.market_ids.empty() || m.market_ids.empty())
        return "Morpho " + m.morpho.checksummed() + " is already followed by " + other +
               (b.market_ids.empty() ? " (every market of it)" : "") +
               ": list distinct market_ids in each, or one entry";
      for (const auto& id : m.market_ids)
        if (std::find(b.market_ids.begin(), b.market_ids.end(), id) != b.market_ids.end())
          return "Morpho market " + chain::hex_encode(id) + " is already followed by " + other;
    }
  }
  return std::nullopt;
}

tl::expected<MarketConfig, ConfigError> read_market(const Reader& r, const Value& m,
                                                    std::size_t index) {
  const std::string prefix = "markets[" + std::to_string(index) + "].";
  if (!m.is_table()) return tl::unexpected(r.error(m, prefix, "must be a table"));
  KEEPER_CFG(protocol, r.required<std::string>(m, prefix, "protocol"));
  if (*protocol != "aave-v3" && *protocol != "morpho-blue")
    return tl::unexpected(r.error(m.at("protocol"), prefix + "protocol",
                                  "'" + *protocol + "' is not supported (aave-v3 or morpho-blue)"));
  const bool morpho = *protocol == "morpho-blue";
  if (morpho) {
    KEEPER_CFG(ok, r.only(m, prefix,
                          {"protocol", "morpho", "market_ids", "start_block", "name", "execute"}));
  } else {
    KEEPER_CFG(ok,
               r.only(m, prefix,
                      {"protocol", "pool_addresses_provider", "start_block", "name", "execute"}));
  }
  MarketConfig market;
  market.protocol = *protocol;
  const char* contract_key = morpho ? "morpho" : "pool_addresses_provider";
  KEEPER_CFG(contract, r.required<std::string>(m, prefix, contract_key));
  auto address = chain::Address::from_hex(*contract);
  if (!address)
    return tl::unexpected(r.error(m.at(contract_key), prefix + contract_key,
                                  std::string{chain::describe(address.error())}));
  (morpho ? market.morpho : market.pool_addresses_provider) = *address;
  if (morpho) {
    KEEPER_CFG(ids, r.optional<std::vector<std::string>>(m, prefix, "market_ids"));
    for (const auto& text : ids->value_or(std::vector<std::string>{})) {
      auto bytes = chain::hex_decode(text);
      if (!bytes || bytes->size() != 32)
        return tl::unexpected(r.error(m.at("market_ids"), prefix + "market_ids",
                                      "'" + text + "' is not a market Id (0x and 64 hex digits)"));
      chain::Hash id{};
      std::copy(bytes->begin(), bytes->end(), id.begin());
      market.market_ids.push_back(id);
    }
  }
  KEEPER_CFG(start, r.optional<std::int64_t>(m, prefix, "start_block"));
  if (*start) {
    if (**start < 0)
      return tl::unexpected(r.error(m.at("start_block"), prefix + "start_block", "must be >= 0"));
    market.start_block = static_cast<std::uint64_t>(**start);
    market.start_block_line = m.at("start_block").location().line();
  }
  KEEPER_CFG(name, r.optional<std::string>(m, prefix, "name"));
  market.name = name->value_or(market.protocol);
  KEEPER_CFG(execute, r.optional<bool>(m, prefix, "execute"));
  market.execute = execute->value_or(true);
  return market;
}

tl::expected<WalletConfig, ConfigError> read_wallet(const Reader& r, const Value& w) {
  if (!w.is_table()) return tl::unexpected(r.error(w, "wallet", "must be a table"));
  KEEPER_CFG(
      ok, r.only(w, "wallet.", {"private_key_env", "keystore", "password_env", "password_file"}));
  WalletConfig wallet;
  KEEPER_CFG(key_env, r.optional<std::string>(w, "wallet.", "private_key_env"));
  KEEPER_CFG(keystore, r.optional<std::string>(w, "wallet.", "keystore"));
  KEEPER_CFG(password_env, r.optional<std::string>(w, "wallet.", "password_env"));
  KEEPER_CFG(password_file, r.optional<std::string>(w, "wallet.", "password_file"));
  if (key_env->has_value() == keystore->has_value())
    return tl::unexpected(r.error(w, "wallet", "set exactly one of private_key_env and keystore"));
  if (keystore->has_value() && password_env->has_value() == password_file->has_value())
    return tl::unexpected(
        r.error(w, "wallet", "a keystore needs exactly one of password_env and password_file"));
  wallet.private_key_env = *key_env;
  if (*keystore) wallet.keystore = **keystore;
  wallet.password_env = *password_env;
  if (*password_file) wallet.password_file = **password_file;
  return wallet;
}

tl::expected<chain::u256, ConfigError> read_gwei(const Reader& r, const Value& table,
                                                 const std::string& key) {
  const Value& v = table.at(key);
  std::string text;
  if (v.is_integer()) {
    text = std::to_string(v.as_integer());
  } else if (v.is_floating()) {
    // toml11 keeps no original text of floats; format with enough digits and let the exact
    // decimal parser reject more than 9 fractional digits.
    std::ostringstream ss;
    ss.precision(15);
    ss << std::fixed << v.as_floating();
    text = ss.str();
    while (!text.empty() && text.back() == '0') text.pop_back();
    if (!text.empty() && text.back() == '.') text.pop_back();
  } else if (v.is_string()) {
    text = v.as_string();
  } else {
    return tl::unexpected(r.error(v, "strategy." + key, "must be a number of gwei"));
  }
  auto wei = decimal_to_units(text, 9);
  if (!wei) return tl::unexpected(r.error(v, "strategy." + key, wei.error()));
  if (*wei == 0) return tl::unexpected(r.error(v, "strategy." + key, "must be > 0"));
  return *wei;
}

tl::expected<StrategyConfig, ConfigError> read_strategy(const Reader& r, const Value& s) {
  if (!s.is_table()) return tl::unexpected(r.error(s, "strategy", "must be a table"));
  KEEPER_CFG(
      ok, r.only(s, "strategy.",
                 {"name", "min_profit_usd", "max_fee_per_gas_gwei", "max_priority_fee_per_gas_gwei",
                  "max_debt_to_cover_usd", "allow_assets", "deny_assets", "receive_a_token",
                  "funding", "hf_watch_band", "bid_share", "native_asset"}));
  StrategyConfig c;
  KEEPER_CFG(name, r.optional<std::string>(s, "strategy.", "name"));
  if (*name) c.name = **name;
  KEEPER_CFG(min_profit, r.optional<double>(s, "strategy.", "min_profit_usd"));
  if (*min_profit) {
    if (!(**min_profit >= 0))
      return tl::unexpected(
          r.error(s.at("min_profit_usd"), "strategy.min_profit_usd", "must be >= 0"));
    c.min_profit_usd = **min_profit;
  }
  if (s.contains("max_fee_per_gas_gwei")) {
    KEEPER_CFG(fee, read_gwei(r, s, "max_fee_per_gas_gwei"));
    c.max_fee_per_gas_wei = *fee;
  }
  if (s.contains("max_priority_fee_per_gas_gwei")) {
    KEEPER_CFG(fee, read_gwei(r, s, "max_priority_fee_per_gas_gwei"));
    c.max_priority_fee_per_gas_wei = *fee;
  }
  if (c.max_priority_fee_per_gas_wei > c.max_fee_per_gas_wei)
    return tl::unexpected(r.error(s, "strategy.max_priority_fee_per_gas_gwei",
                                  "must not exceed max_fee_per_gas_gwei"));
  KEEPER_CFG(max_debt, r.optional<double>(s, "strategy.", "max_debt_to_cover_usd"));
  if (*max_debt) {
    if (!(**max_debt > 0))
      return tl::unexpected(
          r.error(s.at("max_debt_to_cover_usd"), "strategy.max_debt_to_cover_usd", "must be > 0"));
    c.max_debt_to_cover_usd = **max_debt;
  }
  KEEPER_CFG(allow, r.optional<std::vector<std::string>>(s, "strategy.", "allow_assets"));
  KEEPER_CFG(deny, r.optional<std::vector<std::string>>(s, "strategy.", "deny_assets"));
  if (*allow) c.allow_assets = **allow;
  if (*deny) c.deny_assets = **deny;
  KEEPER_CFG(receive, r.optional<bool>(s, "strategy.", "receive_a_token"));
  if (*receive) c.receive_a_token = **receive;
  KEEPER_CFG(funding, r.optional<std::string>(s, "strategy.", "funding"));
  if (*funding) {
    if (**funding != "wallet" && **funding != "direct" && **funding != "contract" &&
        **funding != "flash")
      return tl::unexpected(r.error(s.at("funding"), "strategy.funding",
                                    "must be \"wallet\", \"contract\" or \"flash\""));
    c.funding = **funding == "direct" ? "wallet" : **funding;  // "direct" is its older name
    c.funding_line = s.at("funding").location().line();
  }
  KEEPER_CFG(share, r.optional<double>(s, "strategy.", "bid_share"));
  if (*share) {
    if (!(**share >= 0.0 && **share <= 1.0))
      return tl::unexpected(
          r.error(s.at("bid_share"), "strategy.bid_share", "must be between 0 and 1"));
    c.bid_share = **share;
  }
  KEEPER_CFG(native, r.optional<std::string>(s, "strategy.", "native_asset"));
  if (*native) {
    auto address = chain::Address::from_hex(**native);
    if (!address)
      return tl::unexpected(r.error(s.at("native_asset"), "strategy.native_asset",
                                    "must be a 0x-prefixed 20-byte address"));
    c.native_asset = *address;
  }
  KEEPER_CFG(band, r.optional<double>(s, "strategy.", "hf_watch_band"));
  if (*band) {
    if (!(**band > 1.0 && **band < 10.0))
      return tl::unexpected(
          r.error(s.at("hf_watch_band"), "strategy.hf_watch_band", "must be between 1 and 10"));
    c.hf_watch_band = **band;
  }
  return c;
}

tl::expected<TransactionsConfig, ConfigError> read_transactions(const Reader& r, const Value& t) {
  if (!t.is_table()) return tl::unexpected(r.error(t, "transactions", "must be a table"));
  KEEPER_CFG(
      ok, r.only(t, "transactions.",
                 {"journal_path", "state_dir", "confirmations_timeout_blocks", "fee_bump_percent",
                  "max_gas_spend_per_hour_eth", "gas_limit_multiplier", "max_nonce_gap_fill"}));
  TransactionsConfig c;
  KEEPER_CFG(journal, r.optional<std::string>(t, "transactions.", "journal_path"));
  if (*journal) c.journal_path = **journal;
  KEEPER_CFG(state_dir, r.optional<std::string>(t, "transactions.", "state_dir"));
  if (*state_dir) c.state_dir = **state_dir;
  KEEPER_CFG(timeout, r.optional<std::int64_t>(t, "transactions.", "confirmations_timeout_blocks"));
  if (*timeout) {
    if (**timeout < 1 || **timeout > 1000)
      return tl::unexpected(r.error(t.at("confirmations_timeout_blocks"),
                                    "transactions.confirmations_timeout_blocks",
                                    "must be between 1 and 1000"));
    c.confirmations_timeout_blocks = static_cast<std::uint64_t>(**timeout);
  }
  KEEPER_CFG(gap, r.optional<std::int64_t>(t, "transactions.", "max_nonce_gap_fill"));
  if (*gap) {
    if (**gap < 0 || **gap > 64)
      return tl::unexpected(r.error(t.at("max_nonce_gap_fill"), "transactions.max_nonce_gap_fill",
                                    "must be between 0 (refuse any gap) and 64"));
    c.max_nonce_gap_fill = static_cast<std::uint64_t>(**gap);
  }
  KEEPER_CFG(bump, r.optional<double>(t, "transactions.", "fee_bump_percent"));
  if (*bump) {
    if (!(**bump >= 10.0 && **bump <= 100.0))
      return tl::unexpected(
          r.error(t.at("fee_bump_percent"), "transactions.fee_bump_percent",
                  "must be between 10 and 100 (nodes refuse replacements below +10%)"));
    c.fee_bump_percent = **bump;
  }
  if (t.contains("max_gas_spend_per_hour_eth")) {
    const Value& v = t.at("max_gas_spend_per_hour_eth");
    std::string text;
    if (v.is_string()) {
      text = v.as_string();
    } else if (v.is_floating() || v.is_integer()) {
      std::ostringstream ss;
      ss.precision(18);
      ss << std::fixed << (v.is_floating() ? v.as_floating() : static_cast<double>(v.as_integer()));
      text = ss.str();
      while (!text.empty() && text.back() == '0') text.pop_back();
      if (!text.empty() && text.back() == '.') text.pop_back();
    }
    auto wei = decimal_to_units(text, 18);
    if (!wei || *wei == 0)
      return tl::unexpected(
          r.error(v, "transactions.max_gas_spend_per_hour_eth", wei ? "must be > 0" : wei.error()));
    c.max_gas_spend_per_hour_wei = *wei;
  }
  KEEPER_CFG(multiplier, r.optional<double>(t, "transactions.", "gas_limit_multiplier"));
  if (*multiplier) {
    if (!(**multiplier >= 1.0 && **multiplier <= 3.0))
      return tl::unexpected(r.error(t.at("gas_limit_multiplier"),
                                    "transactions.gas_limit_multiplier",
                                    "must be between 1 and 3"));
    c.gas_limit_multiplier = **multiplier;
  }
  return c;
}

tl::expected<MetricsConfig, ConfigError> read_metrics(const Reader& r, const Value& t) {
  if (!t.is_table()) return tl::unexpected(r.error(t, "metrics", "must be a table"));
  KEEPER_CFG(ok, r.only(t, "metrics.", {"port", "max_head_lag_seconds"}));
  MetricsConfig c;
  KEEPER_CFG(port, r.optional<std::int64_t>(t, "metrics.", "port"));
  if (*port) {
    if (**port < 0 || **port > 65535)
      return tl::unexpected(r.error(t.at("port"), "metrics.port", "must be between 0 and 65535"));
    c.port = static_cast<std::uint16_t>(**port);
  }
  KEEPER_CFG(lag, r.optional<double>(t, "metrics.", "max_head_lag_seconds"));
  if (*lag) {
    if (!(**lag >= 1.0 && **lag <= 86400.0))
      return tl::unexpected(r.error(t.at("max_head_lag_seconds"), "metrics.max_head_lag_seconds",
                                    "must be between 1 and 86400"));
    c.max_head_lag_seconds = **lag;
  }
  return c;
}

tl::expected<StateConfig, ConfigError> read_state(const Reader& r, const Value& t) {
  if (!t.is_table()) return tl::unexpected(r.error(t, "state", "must be a table"));
  KEEPER_CFG(ok, r.only(t, "state.", {"snapshot_path", "snapshot_every_blocks"}));
  StateConfig c;
  KEEPER_CFG(path, r.required<std::string>(t, "state.", "snapshot_path"));
  if (path->empty())
    return tl::unexpected(r.error(t.at("snapshot_path"), "state.snapshot_path", "is empty"));
  c.snapshot_path = *path;
  KEEPER_CFG(every, r.optional<std::int64_t>(t, "state.", "snapshot_every_blocks"));
  if (*every) {
    if (**every < 1 || **every > 1'000'000)
      return tl::unexpected(r.error(t.at("snapshot_every_blocks"), "state.snapshot_every_blocks",
                                    "must be between 1 and 1000000"));
    c.snapshot_every_blocks = static_cast<std::uint64_t>(**every);
  }
  return c;
}

tl::expected<LiquidatorConfig, ConfigError> read_liquidator(const Reader& r, const Value& t) {
  if (!t.is_table()) return tl::unexpected(r.error(t, "liquidator", "must be a table"));
  KEEPER_CFG(ok, r.only(t, "liquidator.", {"address"}));
  KEEPER_CFG(text, r.required<std::string>(t, "liquidator.", "address"));
  auto address = chain::Address::from_hex(*text);
  if (!address)
    return tl::unexpected(r.error(t.at("address"), "liquidator.address",
                                  std::string{chain::describe(address.error())}));
  if (address->is_zero())
    return tl::unexpected(r.error(t.at("address"), "liquidator.address", "is the zero address"));
  return LiquidatorConfig{*address};
}

// A contract address: 0x-prefixed, 20 bytes, a valid checksum when mixed case, not zero.
tl::expected<chain::Address, ConfigError> read_contract_address(const Reader& r, const Value& t,
                                                                const std::string& prefix,
                                                                const std::string& key) {
  KEEPER_CFG(text, r.required<std::string>(t, prefix, key));
  auto address = chain::Address::from_hex(*text);
  if (!address)
    return tl::unexpected(
        r.error(t.at(key), prefix + key, std::string{chain::describe(address.error())}));
  if (address->is_zero())
    return tl::unexpected(r.error(t.at(key), prefix + key, "is the zero address"));
  return *address;
}

tl::expected<DexConfig, ConfigError> read_dex(const Reader& r, const Value& t) {
  if (!t.is_table()) return tl::unexpected(r.error(t, "dex", "must be a table"));
  KEEPER_CFG(ok,
             r.only(t, "dex.", {"uniswap_v3_factory", "uniswap_v3_router", "uniswap_v3_quoter"}));
  DexConfig c;
  KEEPER_CFG(factory, read_contract_address(r, t, "dex.", "uniswap_v3_factory"));
  KEEPER_CFG(router, read_contract_address(r, t, "dex.", "uniswap_v3_router"));
  c.uniswap_v3_factory = *factory;
  c.uniswap_v3_router = *router;
  if (t.contains("uniswap_v3_quoter")) {
    KEEPER_CFG(quoter, read_contract_address(r, t, "dex.", "uniswap_v3_quoter"));
    c.uniswap_v3_quoter = *quoter;
  }
  return c;
}

tl::expected<StandbyConfig, ConfigError> read_standby(const Reader& r, const Value& t) {
  if (!t.is_table()) return tl::unexpected(r.error(t, "standby", "must be a table"));
  KEEPER_CFG(ok, r.only(t, "standby.", {"redis_url", "lease_ms", "timeout_ms", "name"}));
  StandbyConfig c;
  KEEPER_CFG(url, r.required<std::string>(t, "standby.", "redis_url"));
  if (url->rfind("redis://", 0) != 0)
    return tl::unexpected(
        r.error(t.at("redis_url"), "standby.redis_url", "must be redis://host:port"));
  c.redis_url = *url;
  KEEPER_CFG(lease, r.optional<std::int64_t>(t, "standby.", "lease_ms"));
  if (*lease) {
    if (**lease < 300 || **lease > 600'000)
      return tl::unexpected(
          r.error(t.at("lease_ms"), "standby.lease_ms", "must be between 300 and 600000"));
    c.lease_ms = static_cast<std::uint32_t>(**lease);
  }
  KEEPER_CFG(timeout, r.optional<std::int64_t>(t, "standby.", "timeout_ms"));
  if (*timeout) {
    if (**timeout < 10 || **timeout > 10'000)
      return tl::unexpected(
          r.error(t.at("timeout_ms"), "standby.timeout_ms", "must be between 10 and 10000"));
    c.timeout_ms = static_cast<std::uint32_t>(**timeout);
  }
  // A renewal must fit well inside the lease, or the leader loses it while renewing.
  if (c.timeout_ms * 3 > c.lease_ms)
    return tl::unexpected(r.error(t, "standby.timeout_ms", "must be at most a third of lease_ms"));
  KEEPER_CFG(name, r.optional<std::string>(t, "standby.", "name"));
  if (*name) {
    if ((*name)->empty() || (*name)->size() > 64)
      return tl::unexpected(r.error(t.at("name"), "standby.name", "must be 1-64 characters"));
    c.name = **name;
  }
  return c;
}

tl::expected<SubmissionConfig, ConfigError> read_submission(const Reader& r, const Value& t) {
  if (!t.is_table()) return tl::unexpected(r.error(t, "submission", "must be a table"));
  KEEPER_CFG(ok, r.only(t, "submission.",
                        {"mode", "builders", "searcher_key_env", "builder_timeout_ms",
                         "bundle_blocks", "mev_share_streams", "mev_share_endpoints",
                         "mev_share_blocks", "mev_share_bid_share", "tls_ca_file"}));
  SubmissionConfig c;
  KEEPER_CFG(mode, r.optional<std::string>(t, "submission.", "mode"));
  if (*mode) {
    if (**mode != "public" && **mode != "bundle" && **mode != "both")
      return tl::unexpected(r.error(t.at("mode"), "submission.mode",
                                    "'" + **mode + "' is not one of public, bundle, both"));
    c.mode = **mode;
  }
  KEEPER_CFG(builders, r.optional<std::vector<std::string>>(t, "submission.", "builders"));
  if (*builders) {
    for (const auto& url : **builders) {
      auto parsed = chain::rpc::parse_http_url(url);
      if (!parsed)
        return tl::unexpected(
            r.error(t.at("builders"), "submission.builders", "'" + url + "': " + parsed.error()));
    }
    c.builders = **builders;
  }
  KEEPER_CFG(key_env, r.optional<std::string>(t, "submission.", "searcher_key_env"));
  if (*key_env) {
    const bool valid =
        !(*key_env)->empty() && std::all_of((*key_env)->begin(), (*key_env)->end(), [](char ch) {
          return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
        });
    if (!valid)
      return tl::unexpected(r.error(t.at("searcher_key_env"), "submission.searcher_key_env",
                                    "must be an environment variable name (A-Z, 0-9, _)"));
    c.searcher_key_env = **key_env;
  }
  KEEPER_CFG(timeout, r.optional<std::int64_t>(t, "submission.", "builder_timeout_ms"));
  if (*timeout) {
    if (**timeout < 50 || **timeout > 60'000)
      return tl::unexpected(r.error(t.at("builder_timeout_ms"), "submission.builder_timeout_ms",
                                    "must be between 50 and 60000"));
    c.builder_timeout_ms = static_cast<std::uint32_t>(**timeout);
  }
  KEEPER_CFG(blocks, r.optional<std::int64_t>(t, "submission.", "bundle_blocks"));
  if (*blocks) {
    if (**blocks < 1 || **blocks > 100)
      return tl::unexpected(
          r.error(t.at("bundle_blocks"), "submission.bundle_blocks", "must be between 1 and 100"));
    c.bundle_blocks = static_cast<std::uint64_t>(**blocks);
  }
  for (const char* key : {"mev_share_streams", "mev_share_endpoints"}) {
    KEEPER_CFG(urls, r.optional<std::vector<std::string>>(t, "submission.", key));
    if (!*urls) continue;
    const std::string name = std::string{"submission."} + key;
    const bool streams = std::string_view{key} == "mev_share_streams";
    for (const auto& url : **urls) {
      auto parsed = chain::rpc::parse_http_url(url);
      if (!parsed)
        return tl::unexpected(r.error(t.at(key), name, "'" + url + "': " + parsed.error()));
    }
    (streams ? c.mev_share_streams : c.mev_share_endpoints) = **urls;
  }
  KEEPER_CFG(ca_file, r.optional<std::string>(t, "submission.", "tls_ca_file"));
  if (*ca_file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(**ca_file, ec))
      return tl::unexpected(r.error(t.at("tls_ca_file"), "submission.tls_ca_file",
                                    "'" + **ca_file + "' is not a readable file"));
    c.tls_ca_file = **ca_file;
  }
  KEEPER_CFG(share_blocks, r.optional<std::int64_t>(t, "submission.", "mev_share_blocks"));
  if (*share_blocks) {
    if (**share_blocks < 1 || **share_blocks > 25)
      return tl::unexpected(r.error(t.at("mev_share_blocks"), "submission.mev_share_blocks",
                                    "must be between 1 and 25"));
    c.mev_share_blocks = static_cast<std::uint64_t>(**share_blocks);
  }
  KEEPER_CFG(share, r.optional<double>(t, "submission.", "mev_share_bid_share"));
  if (*share) {
    if (!(**share > 0.0 && **share <= 1.0))
      return tl::unexpected(r.error(t.at("mev_share_bid_share"), "submission.mev_share_bid_share",
                                    "must be above 0 and at most 1"));
    c.mev_share_bid_share = **share;
  }
  if (!c.mev_share_endpoints.empty() && !c.searcher_key_env)
    return tl::unexpected(r.error(t, "submission.searcher_key_env",
                                  "mev_share_endpoints needs the searcher key that signs bundles"));
  if (c.mode != "public") {
    if (c.builders.empty())
      return tl::unexpected(r.error(t, "submission.builders",
                                    "mode '" + c.mode + "' needs at least one builder URL"));
    if (!c.searcher_key_env)
      return tl::unexpected(
          r.error(t, "submission.searcher_key_env",
                  "mode '" + c.mode + "' needs the searcher key that signs bundles"));
  }
  return c;
}

}  // namespace

std::string ConfigError::to_string() const {
  std::string out = source;
  if (line != 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

tl::expected<chain::u256, std::string> decimal_to_units(const std::string& text,
                                                        unsigned decimals) {
  if (text.empty()) return tl::unexpected(std::string{"is empty"});
  const auto dot = text.find('.');
  const std::string whole = text.substr(0, dot);
  const std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || (dot != std::string::npos && frac.empty()))
    return tl::unexpected("'" + text + "' is not a decimal number");
  if (frac.size() > decimals)
    return tl::unexpected("'" + text + "' has more than " + std::to_string(decimals) +
                          " decimal places");
  auto value = chain::u256_from_dec(whole + frac + std::string(decimals - frac.size(), '0'));
  if (!value) return tl::unexpected("'" + text + "' is not a non-negative decimal number");
  return *value;
}

tl::expected<KeeperConfig, ConfigError> parse_config(const std::string& text,
                                                     const std::string& source_name) {
  Reader r{source_name};
  if (const auto bad = first_invalid_utf8(text)) {
    const auto line =
        1 + static_cast<std::size_t>(
                std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*bad), '\n'));
    return tl::unexpected(ConfigError{
        source_name, line, "",
        "is not valid UTF-8 (byte " + std::to_string(*bad + 1) + "): TOML files are UTF-8"});
  }
  if (auto flat = check_toml_nesting(text); !flat)
    return tl::unexpected(
        ConfigError{source_name, flat.error().line, "",
                    "nests deeper than " + std::to_string(kMaxTomlNesting) +
                        " levels (arrays, inline tables, dotted keys): refused before parsing"});
  Value root;
  try {
    std::istringstream in(widen_long_binary_literals(text));
    root = toml::parse(in, source_name);
  } catch (const toml::syntax_error& e) {
    std::string what = e.what();
    const auto nl = what.find('\n');
    return tl::unexpected(
        ConfigError{source_name, e.location().line(), "", "invalid TOML: " + what.substr(0, nl)});
  } catch (const std::exception& e) {
    return tl::unexpected(
        ConfigError{source_name, 0, "", std::string{"invalid TOML: "} + e.what()});
  }
  if (auto big = find_oversized_integer(root))
    return tl::unexpected(ConfigError{source_name, big->line, big->key,
                                      "is outside the 64-bit integer range (the TOML parser would "
                                      "silently cap it)"});
  KEEPER_CFG(known, r.only(root, "",
                           {"chain_id", "node", "markets", "wallet", "strategy", "transactions",
                            "metrics", "state", "liquidator", "dex", "submission", "standby"}));
  KeeperConfig c;
  c.source = source_name;
  KEEPER_CFG(chain_id, r.required<std::int64_t>(root, "", "chain_id"));
  if (*chain_id <= 0)
    return tl::unexpected(r.error(root.at("chain_id"), "chain_id", "must be > 0"));
  c.chain_id = static_cast<std::uint64_t>(*chain_id);
  if (!root.contains("node")) return tl::unexpected(r.error("node", "is required"));
  KEEPER_CFG(node, read_node(r, root.at("node")));
  c.node = *node;
  if (!root.contains("markets") || !root.at("markets").is_array() ||
      root.at("markets").as_array().empty())
    return tl::unexpected(r.error("markets", "at least one [[markets]] table is required"));
  const auto& markets = root.at("markets").as_array();
  for (std::size_t i = 0; i < markets.size(); ++i) {
    KEEPER_CFG(m, read_market(r, markets[i], i));
    if (auto twice = duplicate_of(c.markets, *m))
      return tl::unexpected(r.error(markets[i], "markets[" + std::to_string(i) + "]", *twice));
    c.markets.push_back(*m);
  }
  if (root.contains("wallet")) {
    KEEPER_CFG(w, read_wallet(r, root.at("wallet")));
    c.wallet = *w;
  }
  if (root.contains("strategy")) {
    KEEPER_CFG(s, read_strategy(r, root.at("strategy")));
    c.strategy = *s;
  }
  if (root.contains("transactions")) {
    KEEPER_CFG(t, read_transactions(r, root.at("transactions")));
    c.transactions = *t;
  }
  if (root.contains("metrics")) {
    KEEPER_CFG(m, read_metrics(r, root.at("metrics")));
    c.metrics = *m;
  }
  if (root.contains("state")) {
    KEEPER_CFG(st, read_state(r, root.at("state")));
    c.state = *st;
  }
  if (root.contains("liquidator")) {
    KEEPER_CFG(l, read_liquidator(r, root.at("liquidator")));
    c.liquidator = *l;
  }
  if (root.contains("dex")) {
    KEEPER_CFG(dex, read_dex(r, root.at("dex")));
    c.dex = *dex;
  }
  // Funding other than the wallet goes through keeper's contract; a flash loan also sells what it
  // seizes, so it needs the DEX.
  const auto& funding = c.strategy.funding;
  if (funding != "wallet" && !c.liquidator)
    return tl::unexpected(ConfigError{source_name, c.strategy.funding_line, "strategy.funding",
                                      "\"" + funding +
                                          "\" funding needs keeper's contract: add [liquidator] "
                                          "address (from `keeper liquidator deploy`)"});
  if (funding == "flash" && !c.dex)
    return tl::unexpected(ConfigError{source_name, c.strategy.funding_line, "strategy.funding",
                                      "\"flash\" funding sells the seized collateral on Uniswap "
                                      "V3: add [dex] uniswap_v3_factory and uniswap_v3_router"});

  if (root.contains("standby")) {
    KEEPER_CFG(sb, read_standby(r, root.at("standby")));
    c.standby = *sb;
  }
  if (root.contains("submission")) {
    KEEPER_CFG(sub, read_submission(r, root.at("submission")));
    c.submission = *sub;
    const auto& wallet_env = c.wallet ? c.wallet->private_key_env : std::nullopt;
    if (c.submission.searcher_key_env && c.submission.searcher_key_env == wallet_env)
      return tl::unexpected(
          r.error(root.at("submission").at("searcher_key_env"), "submission.searcher_key_env",
                  "must not be the wallet's key: the searcher key holds no funds"));
  }
  return c;
}

tl::expected<KeeperConfig, ConfigError> load_config_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec)
    return tl::unexpected(
        ConfigError{path.string(), 0, "", "cannot read the config file: " + ec.message()});
  if (size > std::uintmax_t{1024} * 1024)
    return tl::unexpected(ConfigError{path.string(), 0, "", "config file is larger than 1 MiB"});
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = parse_config(ss.str(), path.string());
  if (c) c->base_dir = std::filesystem::absolute(path).parent_path();
  return c;
}

}  // namespace config
