#include "keeper/commands/scan_command.hpp"

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "config/keeper_config.hpp"
#include "keeper/commands/command_line.hpp"
#include "keeper/commands/morpho_positions.hpp"
#include "keeper/commands/node_connection.hpp"
#include "protocols/aave_v3/aave_sync.hpp"
#include "protocols/aave_v3/account_data.hpp"
#include "protocols/aave_v3/liquidation_prices.hpp"

namespace keeper {
namespace {

namespace aave = protocols::aave_v3;
using chain::Address;

int fail(const std::string& message) {
  std::cerr << "keeper scan: " << message << '\n';
  return 1;
}

struct Ranked {
  Address account;
  aave::AccountData data;
  std::vector<std::pair<std::string, double>> liquidation_prices;  // symbol -> base-currency price
};

}  // namespace

int run_scan_command(int argc, char** argv) {
  std::string config_path;
  std::optional<std::uint64_t> block;
  bool json = false;
  std::size_t limit = 0;
  CLI::App app{"Syncs the market and ranks its accounts by health factor, computed locally.",
               "keeper scan"};
  apply_keeper_conventions(app);
  auto* config = app.add_option("--config", config_path, "keeper config")->type_name("FILE");
  add_integer_option(app, "--block", block, {}, "block to read (default: the latest)");
  app.add_flag("--json", json, "print JSON instead of a table");
  add_integer_option(app, "--limit", limit, {}, "print only the K riskiest (0: all)")
      ->type_name("K");
  require_options(app, {{config, "--config FILE"}});
  if (auto exit_code = parse_command_line(app, argc, argv)) return *exit_code;

  auto session = open_node_session(config_path, block);
  if (!session) return fail(session.error());
  auto& rpc = *session->rpc;
  const auto* header = &session->header;
  const auto* cfg = &session->config;
  block = header->number;

  std::vector<Ranked> ranked;
  std::vector<MorphoRow> morpho;
  for (const auto& market_cfg : cfg->markets) {
    if (market_cfg.protocol == "morpho-blue") {
      auto rows = morpho_rows(rpc, market_cfg, *block, header->timestamp);
      if (!rows) return fail(rows.error());
      morpho.insert(morpho.end(), rows->begin(), rows->end());
      continue;
    }
    protocols::aave_v3::AaveSync sync{rpc, market_cfg.pool_addresses_provider};
    auto contracts = sync.contracts(*block);
    if (!contracts) return fail(contracts.error());
    auto market = sync.market(*contracts, *block);
    if (!market) return fail(market.error());
    const bool tty = !json && ::isatty(2);
    auto who = sync.discover_accounts(
        *contracts, market_cfg.start_block, *block, [&](const chain::rpc::BackfillProgress& p) {
          if (tty)
            std::fprintf(stderr, "\rbackfill %s: %llu/%llu blocks", market_cfg.name.c_str(),
                         static_cast<unsigned long long>(p.blocks_done),
                         static_cast<unsigned long long>(p.blocks_total));
        });
    if (tty) std::fprintf(stderr, "\n");
    if (!who) return fail(who.error());
    auto accounts = sync.accounts(*contracts, *market, *who, *block);
    if (!accounts) return fail(accounts.error());
    for (const auto& [address, account] : *accounts) {
      auto data = aave::account_data(*market, account, header->timestamp);
      if (!data)
        return fail(address.checksummed() + ": " + std::string{aave::describe(data.error())});
      if (data->total_collateral_base == 0 && data->total_debt_base == 0)
        continue;  // left the market
      std::vector<std::pair<std::string, double>> prices;
      for (const auto& lp :
           protocols::aave_v3::liquidation_prices(*market, account, header->timestamp))
        prices.emplace_back(market->reserves[lp.reserve].symbol, lp.price);
      ranked.push_back({address, *data, std::move(prices)});
    }
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    return a.data.health_factor != b.data.health_factor
               ? a.data.health_factor < b.data.health_factor
               : a.account < b.account;
  });
  if (limit != 0 && ranked.size() > limit) ranked.resize(limit);
  std::sort(morpho.begin(), morpho.end(), [](const MorphoRow& a, const MorphoRow& b) {
    return a.health_factor != b.health_factor ? a.health_factor < b.health_factor
                                              : a.account < b.account;
  });
  if (limit != 0 && morpho.size() > limit) morpho.resize(limit);

  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : ranked) {
      nlohmann::json prices = nlohmann::json::object();
      for (const auto& [symbol, price] : r.liquidation_prices) prices[symbol] = price;
      out.push_back(
          {{"account", r.account.checksummed()},
           {"health_factor", chain::to_dec(r.data.health_factor)},
           {"total_collateral_base", chain::to_dec(r.data.total_collateral_base)},
           {"total_debt_base", chain::to_dec(r.data.total_debt_base)},
           {"available_borrows_base", chain::to_dec(r.data.available_borrows_base)},
           {"current_liquidation_threshold", chain::to_dec(r.data.current_liquidation_threshold)},
           {"ltv", chain::to_dec(r.data.ltv)},
           {"liquidation_prices", prices}});
    }
    // Morpho positions follow, marked by their "protocol" (one row per account and market).
    for (const auto& r : morpho) out.push_back(to_json(r));
    std::cout << out.dump(2) << '\n';
    return 0;
  }
  std::printf("block %llu: %zu accounts\n%-42s %10s %16s %16s  liquidation prices\n",
              static_cast<unsigned long long>(*block), ranked.size(), "account", "health",
              "collateral", "debt");
  for (const auto& r : ranked) {
    std::string prices;
    for (const auto& [symbol, price] : r.liquidation_prices) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%s@%.2f ", symbol.c_str(), price / 1e8);
      prices += buf;
    }
    std::printf("%-42s %10.4f %16.2f %16.2f  %s\n", r.account.checksummed().c_str(),
                chain::to_double(r.data.health_factor) / 1e18,
                chain::to_double(r.data.total_collateral_base) / 1e8,
                chain::to_double(r.data.total_debt_base) / 1e8, prices.c_str());
  }
  if (!morpho.empty()) {
    std::printf("\nMorpho Blue: %zu positions\n%s", morpho.size(), table_header().c_str());
    for (const auto& r : morpho) std::fputs(table_line(r).c_str(), stdout);
  }
  return 0;
}

}  // namespace keeper
