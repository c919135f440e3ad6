#include "keeper/commands/account_command.hpp"

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/keeper_config.hpp"
#include "keeper/commands/command_line.hpp"
#include "keeper/commands/morpho_positions.hpp"
#include "keeper/commands/node_connection.hpp"
#include "protocols/aave_v3/aave_sync.hpp"
#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/liquidation_prices.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"

namespace keeper {
namespace {

namespace aave = protocols::aave_v3;
using chain::u256;

int fail(const std::string& message) {
  std::cerr << "keeper account: " << message << '\n';
  return 1;
}

// One reserve of the account as the Pool values it.
struct Line {
  const aave::Reserve* reserve = nullptr;
  u256 supplied;  // aToken balance
  bool collateral = false;
  u256 debt;   // variable + stable
  u256 price;  // the price the Pool uses for this account (eMode aware)
  std::uint32_t threshold_bps = 0;
  // balance * price / 10^decimals, rounded down as GenericLogic does: the lines sum to the totals
  u256 collateral_base;
  u256 debt_base;
  double hf_share = 0;  // this reserve's part of the HF (0 without debt)
  std::optional<double> liquidation_price;
};

double base_to_usd(const u256& v, const aave::Market& m) {
  return chain::to_double(v) / chain::to_double(m.base_currency_unit);
}

std::string units(const u256& amount, unsigned decimals) {
  std::string digits = chain::to_dec(amount);
  if (decimals == 0) return digits;
  if (digits.size() <= decimals) digits.insert(0, decimals - digits.size() + 1, '0');
  std::string out =
      digits.substr(0, digits.size() - decimals) + "." + digits.substr(digits.size() - decimals);
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

}  // namespace

int run_account_command(int argc, char** argv) {
  std::optional<chain::Address> account;
  std::string config_path;
  std::optional<std::uint64_t> block;
  bool json = false;
  CLI::App app{"Explains one account, reserve by reserve.", "keeper account"};
  apply_keeper_conventions(app);
  auto* address = app.add_option_function<std::string>(
      "ADDRESS",
      [&account](const std::string& text) {
        auto a = chain::Address::from_hex(text);
        if (!a)
          throw CLI::ValidationError("ADDRESS '" + text + "' is not an address: " +
                                     std::string{chain::describe(a.error())});
        account = *a;
      },
      "the account, 0x and 40 hex digits");
  auto* config = app.add_option("--config", config_path, "keeper config")->type_name("FILE");
  add_integer_option(app, "--block", block, {}, "block to read (default: the latest)");
  app.add_flag("--json", json, "print JSON instead of a table");
  require_options(app, {{address, "an ADDRESS"}, {config, "--config FILE"}});
  if (auto exit_code = parse_command_line(app, argc, argv)) return *exit_code;

  auto session = open_node_session(config_path, block);
  if (!session) return fail(session.error());
  auto& rpc = *session->rpc;
  const auto* header = &session->header;
  const auto& cfg = &session->config;

  protocols::aave_v3::AaveSync sync{rpc, cfg->markets.front().pool_addresses_provider};
  auto contracts = sync.contracts(header->number);
  if (!contracts) return fail(contracts.error());
  auto market = sync.market(*contracts, header->number);
  if (!market) return fail(market.error());
  auto state = sync.accounts(*contracts, *market, {*account}, header->number);
  if (!state) return fail(state.error());
  const aave::Account& a = state->at(*account);
  auto data = aave::account_data(*market, a, header->timestamp);
  if (!data) return fail(std::string{aave::describe(data.error())});
  // The account's Morpho Blue positions, in every Morpho market of the config.
  std::vector<MorphoRow> morpho;
  for (const auto& market_cfg : cfg->markets) {
    if (market_cfg.protocol != "morpho-blue") continue;
    auto rows = morpho_rows(rpc, market_cfg, header->number, header->timestamp, *account);
    if (!rows) return fail(rows.error());
    morpho.insert(morpho.end(), rows->begin(), rows->end());
  }

  const auto* emode =
      a.emode != 0 && market->emodes.count(a.emode) ? &market->emodes.at(a.emode) : nullptr;
  std::vector<Line> lines;
  const auto prices = protocols::aave_v3::liquidation_prices(*market, a, header->timestamp);
  for (const auto& p : a.positions) {
    const auto& r = market->reserves[p.reserve];
    Line l;
    l.reserve = &r;
    l.supplied = aave::a_token_balance(r, p, header->timestamp).value_or(0);
    l.collateral = a.config.using_as_collateral(r.id);
    l.debt = aave::variable_debt_balance(r, p, header->timestamp).value_or(0) +
             aave::stable_debt_balance(p, header->timestamp).value_or(0);
    l.price = aave::effective_price(*market, r, a.emode);
    l.threshold_bps = emode && r.config.emode_category == a.emode ? emode->liquidation_threshold
                                                                  : r.config.liquidation_threshold;
    const u256 unit = aave::pow10(r.config.decimals);
    if (l.collateral && l.threshold_bps != 0) l.collateral_base = l.supplied * l.price / unit;
    l.debt_base = l.debt * l.price / unit;
    l.hf_share = chain::to_double(l.collateral_base) * l.threshold_bps;  // a weight, for now
    for (const auto& lp : prices)
      if (lp.reserve == r.id) l.liquidation_price = lp.price;
    lines.push_back(l);
  }

  // Each collateral's part of the HF, in proportion to collateral x threshold: the parts add up
  // to the Pool's HF (which rounds the average threshold to whole basis points first).
  const bool no_debt = data->health_factor == chain::kU256Max;
  double total_weight = 0;
  for (const auto& l : lines) total_weight += l.hf_share;
  for (auto& l : lines)
    l.hf_share = no_debt || total_weight == 0
                     ? 0
                     : l.hf_share / total_weight * chain::to_double(data->health_factor) / 1e18;
  if (json) {
    nlohmann::json reserves = nlohmann::json::array();
    for (const auto& l : lines)
      reserves.push_back(
          {{"symbol", l.reserve->symbol},
           {"asset", l.reserve->asset.checksummed()},
           {"supplied", chain::to_dec(l.supplied)},
           {"collateral_enabled", l.collateral},
           {"debt", chain::to_dec(l.debt)},
           {"price", chain::to_dec(l.price)},
           {"liquidation_threshold_bps", l.threshold_bps},
           {"collateral_base", chain::to_dec(l.collateral_base)},
           {"debt_base", chain::to_dec(l.debt_base)},
           {"health_factor_share", l.hf_share},
           {"liquidation_price",
            l.liquidation_price ? nlohmann::json(*l.liquidation_price) : nlohmann::json(nullptr)}});
    nlohmann::json morpho_json = nlohmann::json::array();
    for (const auto& r : morpho) morpho_json.push_back(to_json(r));
    nlohmann::json out{
        {"account", account->checksummed()},
        {"block", header->number},
        {"emode", a.emode},
        {"health_factor", chain::to_dec(data->health_factor)},
        {"total_collateral_base", chain::to_dec(data->total_collateral_base)},
        {"total_debt_base", chain::to_dec(data->total_debt_base)},
        {"current_liquidation_threshold", chain::to_dec(data->current_liquidation_threshold)},
        {"reserves", reserves}};
    if (!morpho.empty()) out["morpho_blue"] = morpho_json;
    std::cout << out.dump(2) << '\n';
    return 0;
  }
  std::printf(
      "account %s at block %llu%s\n", account->checksummed().c_str(),
      static_cast<unsigned long long>(header->number),
      emode ? (", eMode " + std::to_string(a.emode) + " (" + emode->label + ")").c_str() : "");
  std::printf("health factor %s   collateral $%.2f   debt $%.2f   liquidation threshold %.2f%%\n",
              no_debt ? "none (no debt)"
                      : std::to_string(chain::to_double(data->health_factor) / 1e18).c_str(),
              base_to_usd(data->total_collateral_base, *market),
              base_to_usd(data->total_debt_base, *market),
              chain::to_double(data->current_liquidation_threshold) / 100);
  if (!morpho.empty()) {
    std::printf("Morpho Blue:\n%s", table_header().c_str());
    for (const auto& r : morpho) std::fputs(table_line(r).c_str(), stdout);
  }
  if (lines.empty()) {
    std::printf(morpho.empty() ? "no positions\n" : "no Aave positions\n");
    return 0;
  }
  std::printf("%-6s %22s %4s %22s %14s %6s %12s %12s %9s %16s\n", "asset", "supplied", "coll",
              "debt", "price $", "LT %", "coll $", "debt $", "HF share", "liq. price $");
  for (const auto& l : lines) {
    const unsigned dec = l.reserve->config.decimals;
    char liq[32] = "-";
    if (l.liquidation_price)
      std::snprintf(liq, sizeof liq, "%.6g",
                    *l.liquidation_price / chain::to_double(market->base_currency_unit));
    std::printf("%-6s %22s %4s %22s %14.4f %6.2f %12.2f %12.2f %9.4f %16s\n",
                l.reserve->symbol.c_str(), units(l.supplied, dec).c_str(),
                l.collateral ? "yes" : "no", units(l.debt, dec).c_str(),
                base_to_usd(l.price, *market), l.threshold_bps / 100.0,
                base_to_usd(l.collateral_base, *market), base_to_usd(l.debt_base, *market),
                l.hf_share, liq);
  }
  return 0;
}

}  // namespace keeper
