#include "config/read_sections.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "chain/rpc/http_url.hpp"

namespace config::detail {
namespace {

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

}  // namespace

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

}  // namespace config::detail
