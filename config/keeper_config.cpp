#include "config/keeper_config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml.hpp>

#include "config/config_reader.hpp"
#include "config/read_sections.hpp"
#include "config/toml_integer.hpp"
#include "config/toml_nesting.hpp"
#include "config/utf8_check.hpp"

namespace config {

// The section readers live in config/read_sections_*.cpp; parse_config checks what spans sections.
using detail::duplicate_of;
using detail::read_dex;
using detail::read_liquidator;
using detail::read_market;
using detail::read_metrics;
using detail::read_node;
using detail::read_standby;
using detail::read_state;
using detail::read_strategy;
using detail::read_submission;
using detail::read_transactions;
using detail::read_wallet;
using detail::Reader;
using detail::Value;

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
