#include "config/read_sections.hpp"

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "chain/hex.hpp"

namespace config::detail {
namespace {

bool has_scheme(const std::string& url, std::initializer_list<const char*> schemes) {
  for (const char* s : schemes)
    if (url.rfind(s, 0) == 0 && url.size() > std::char_traits<char>::length(s)) return true;
  return false;
}

}  // namespace

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

}  // namespace config::detail
