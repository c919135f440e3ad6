#include "keeper/commands/cascade_command.hpp"

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "cascade/report.hpp"
#include "cascade/svg_plot.hpp"
#include "cascade/uniswap_exchange.hpp"
#include "config/keeper_config.hpp"
#include "keeper/commands/command_line.hpp"
#include "keeper/commands/node_connection.hpp"
#include "protocols/aave_v3/aave_sync.hpp"
#include "protocols/aave_v3/cascade_ledger.hpp"
#include "strategy/cascade/debt_at_risk.hpp"
#include "strategy/cascade/depth_curve.hpp"
#include "strategy/cascade/simulation.hpp"

namespace keeper {
namespace {

namespace sc = strategy::cascade;

constexpr double kDebtShare = 0.1;  // as the daemon's gauge

int fail(const std::string& message) {
  std::cerr << "keeper cascade: " << message << '\n';
  return 1;
}

// The depth curves named on the command line, by asset id; unknown symbols are errors.
tl::expected<std::map<strategy::AssetId, double>, std::string> depth_curves(
    const std::vector<std::string>& specs, const sc::Ledger& ledger) {
  std::map<strategy::AssetId, double> out;
  for (const auto& text : specs) {
    auto spec = sc::parse_depth(text);
    if (!spec) return tl::unexpected(spec.error());
    const auto address = ledger.protocol().asset_by_symbol(spec->symbol);
    const auto id = address ? ledger.asset_id(*address) : std::nullopt;
    if (!id) return tl::unexpected("--depth: unknown asset '" + spec->symbol + "'");
    out[*id] = spec->percent_per_million;
  }
  return out;
}

}  // namespace

int run_cascade_command(int argc, char** argv) {
  std::string config_path;
  std::string shock_text;
  std::string sweep_text;
  std::optional<std::uint64_t> block;
  std::optional<std::uint64_t> timestamp;
  std::size_t rounds = 20;
  bool json = false;
  bool no_pools = false;
  std::string plot_path;
  std::vector<std::string> depth;
  CLI::App app{
      "The liquidation cascade a price shock sets off: who falls under 1, what each liquidation "
      "repays and seizes, what selling the collateral does to the price, round by round.",
      "keeper cascade"};
  apply_keeper_conventions(app);
  auto* config = app.add_option("--config", config_path, "keeper config")->type_name("FILE");
  auto* shock = app.add_option("--shock", shock_text, "the shock, as in \"WETH -20%\"")
                    ->type_name("\"ASSET ±N%\"");
  auto* sweep =
      app.add_option("--sweep", sweep_text, "shocks from..to/step, as in \"WETH -5%..-50%/5\"")
          ->type_name("\"ASSET FROM..TO/STEP\"");
  shock->excludes(sweep);
  add_integer_option(app, "--block", block, {}, "block to read (default: the latest)");
  add_integer_option(app, "--timestamp", timestamp, {},
                     "accrue interest to this time (default: the block's)");
  add_integer_option(app, "--rounds", rounds, {1, 1000}, "at most K rounds (default 20)")
      ->type_name("K");
  app.add_flag("--json", json, "print one JSON object");
  app.add_option("--plot", plot_path, "write an SVG plot to FILE")->type_name("FILE");
  app.add_flag("--no-pools", no_pools, "ignore [dex]: sell along --depth curves only");
  app.add_option("--depth", depth,
                 "% price move per $1M sold for an asset without a pool, as in WETH=1.5")
      ->type_name("ASSET=PCT");
  require_options(app, {{config, "--config FILE"}});
  if (auto exit_code = parse_command_line(app, argc, argv)) return *exit_code;

  // Every input is checked before the node is asked anything.
  std::vector<sc::Shock> shocks;
  if (!shock_text.empty()) {
    auto s = sc::parse_shock(shock_text);
    if (!s) {
      std::cerr << "keeper cascade: --shock: " << s.error().message << '\n';
      return kUsageErrorExit;
    }
    shocks.push_back(*s);
  } else if (!sweep_text.empty()) {
    auto s = sc::parse_sweep(sweep_text);
    if (!s) {
      std::cerr << "keeper cascade: --sweep: " << s.error().message << '\n';
      return kUsageErrorExit;
    }
    shocks = std::move(*s);
  } else {
    std::cerr << "keeper cascade: --shock or --sweep is required\n";
    return kUsageErrorExit;
  }
  for (const auto& d : depth)
    if (auto spec = sc::parse_depth(d); !spec) {
      std::cerr << "keeper cascade: --depth: " << spec.error() << '\n';
      return kUsageErrorExit;
    }

  auto session = open_node_session(config_path, block);
  if (!session) return fail(session.error());
  auto& rpc = *session->rpc;
  const auto& header = session->header;
  const auto& cfg = session->config;
  if (cfg.markets.empty()) return fail("the config names no market");
  if (timestamp && *timestamp < header.timestamp)
    return fail("--timestamp " + std::to_string(*timestamp) + " is before block " +
                std::to_string(header.number) + "'s (" + std::to_string(header.timestamp) + ")");
  const std::uint64_t at = timestamp.value_or(header.timestamp);

  const auto& market_cfg = cfg.markets.front();
  protocols::aave_v3::AaveSync sync{rpc, market_cfg.pool_addresses_provider};
  auto contracts = sync.contracts(header.number);
  if (!contracts) return fail(contracts.error());
  auto market = sync.market(*contracts, header.number);
  if (!market) return fail(market.error());
  const bool tty = !json && ::isatty(2);
  auto who =
      sync.discover_accounts(*contracts, market_cfg.start_block, header.number,
                             [&](const chain::rpc::BackfillProgress& p) {
                               if (tty)
                                 std::fprintf(stderr, "\rbackfill: %llu/%llu blocks",
                                              static_cast<unsigned long long>(p.blocks_done),
                                              static_cast<unsigned long long>(p.blocks_total));
                             });
  if (tty) std::fprintf(stderr, "\n");
  if (!who) return fail(who.error());
  auto accounts = sync.accounts(*contracts, *market, *who, header.number);
  if (!accounts) return fail(accounts.error());
  protocols::aave_v3::CascadeLedger ledger{std::move(*market),
                                           std::move(*accounts),
                                           header.number,
                                           *contracts,
                                           {cfg.strategy.native_asset}};

  // Unknown assets are named before any work.
  for (const auto& s : shocks)
    if (!ledger.protocol().asset_by_symbol(s.symbol)) {
      std::string known;
      for (const auto& a : ledger.assets()) known += (known.empty() ? "" : ", ") + a.symbol;
      return fail("unknown asset '" + s.symbol + "' (this market has " + known + ")");
    }
  auto curves = depth_curves(depth, ledger);
  if (!curves) return fail(curves.error());
  const auto base_unit = ledger.protocol().valuation().base_unit;
  std::unique_ptr<sc::Exchange> exchange =
      std::make_unique<sc::DepthCurveExchange>(ledger.assets(), base_unit, *curves);
  if (cfg.dex && !no_pools) {
    auto pools =
        cascade::load_pools(rpc, cfg.dex->uniswap_v3_factory, ledger.assets(), header.number);
    if (!pools) return fail("reading the Uniswap V3 pools: " + pools.error());
    std::vector<chain::u256> prices;
    for (std::size_t i = 0; i < ledger.assets().size(); ++i)
      prices.push_back(ledger.protocol().price_of(static_cast<strategy::AssetId>(i)));
    auto venues = cascade::choose_venues(ledger.assets(), prices, *pools);
    exchange = std::make_unique<cascade::UniswapV3Exchange>(ledger.assets(), std::move(venues),
                                                            std::move(exchange));
  }

  // A sweep reports totals per shock, so its rounds list no accounts.
  sc::CascadeOptions options{.timestamp = at, .max_rounds = rounds};
  options.list_accounts = sweep_text.empty();
  sc::Cascade simulation{ledger, options};
  std::vector<sc::CascadeResult> results;
  for (const auto& s : shocks) {
    auto r = simulation.run(s, *exchange);
    if (!r) return fail(r.error().message);
    results.push_back(std::move(*r));
  }

  const cascade::ReportContext context{header.number, at, ledger.assets(), base_unit};
  if (!plot_path.empty()) {
    std::ofstream out(plot_path, std::ios::trunc);
    out << cascade::sweep_svg(context, results);
    if (!out) return fail("cannot write " + plot_path);
  }
  // The daemon's gauge for the same market: the move of each asset that puts 10% of the debt
  // under 1 (keeper_cascade_move_for_debt_share).
  const auto rank = ledger.protocol().rank_prices();
  strategy::RiskBook book;
  for (strategy::AccountId id = 0; id < ledger.account_count(); ++id)
    book.set(id, ledger.rank_form(id, at).weights);
  nlohmann::json to_cliff = nlohmann::json::object();
  std::string to_cliff_text;
  for (std::size_t i = 0; i < ledger.assets().size(); ++i) {
    const auto m =
        sc::move_for_debt_share(book, static_cast<strategy::AssetId>(i), rank, kDebtShare);
    const auto& symbol = ledger.assets()[i].symbol;
    to_cliff[symbol] = {{"fall", m.fall ? nlohmann::json(*m.fall) : nlohmann::json()},
                        {"rise", m.rise ? nlohmann::json(*m.rise) : nlohmann::json()}};
    char line[160];
    std::snprintf(line, sizeof line, "  %-8s fall %s  rise %s\n", symbol.c_str(),
                  m.fall ? (std::to_string(*m.fall * 100) + "%").c_str() : "-",
                  m.rise ? ("+" + std::to_string(*m.rise * 100) + "%").c_str() : "-");
    to_cliff_text += line;
  }
  const bool single = !shock_text.empty();
  if (json) {
    auto out = single ? cascade::cascade_json(context, results.front())
                      : cascade::sweep_json(context, results);
    out["move_for_debt_share"] = {{"share", kDebtShare}, {"assets", to_cliff}};
    std::cout << out.dump(2) << '\n';
  } else {
    std::cout << (single ? cascade::cascade_text(context, results.front())
                         : cascade::sweep_text(context, results));
    std::cout << "\nmove of one asset that puts 10% of the debt under 1:\n" << to_cliff_text;
  }
  return 0;
}

}  // namespace keeper
