#include "keeper/commands/run_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <optional>
#include <set>

#include "chain/hex.hpp"
#include "chain/ws/ws_client.hpp"
#include "config/keeper_config.hpp"
#include "keeper/commands/cascade_gauge_wiring.hpp"
#include "keeper/commands/command_line.hpp"
#include "keeper/commands/market_runner.hpp"
#include "keeper/commands/money_gauges_wiring.hpp"
#include "keeper/commands/node_connection.hpp"
#include "keeper/commands/submission_wiring.hpp"
#include "keeper/daemon/head_source.hpp"
#include "keeper/ops/status_routes.hpp"
#include "keeper/ops/status_server.hpp"
#include "keeper/process/anvil.hpp"
#include "keeper/standby/standby_loop.hpp"
#include "keeper/tx/tx_manager.hpp"
#include "keeper/tx/ws_broadcaster.hpp"
#include "keeper/wallet/wallet_loader.hpp"

namespace keeper {
namespace {

using Clock = std::chrono::steady_clock;

struct RunOptions {
  std::string config_path;
  bool dry_run = false;
  bool fork = false;
  bool json_logs = false;
  ops::Level level = ops::Level::info;
  std::uint64_t max_blocks = 0;  // 0: until a signal
  std::optional<std::uint16_t> metrics_port;
};

int fail(const std::string& message) {
  std::cerr << "keeper run: " << message << '\n';
  return 1;
}

// The command line, through the CLI11 conventions every keeper command shares. nullopt: go on;
// otherwise the exit code (0 after --help, 2 after a usage error).
std::optional<int> parse_args(int argc, char** argv, RunOptions& o) {
  CLI::App app{"The keeper daemon: follows the market and liquidates what falls.", "keeper run"};
  apply_keeper_conventions(app);
  auto* config = app.add_option("--config", o.config_path, "keeper config")->type_name("FILE");
  auto* dry_run = app.add_flag("--dry-run", o.dry_run, "simulate and report; broadcast nothing");
  auto* fork =
      app.add_flag("--fork", o.fork, "execute on a local anvil fork of the configured node");
  // --fork already keeps every transaction off the configured node.
  dry_run->excludes(fork);
  add_integer_option(app, "--max-blocks", o.max_blocks, {}, "stop after N heads (0: never)")
      ->type_name("N");
  add_integer_option(app, "--metrics-port", o.metrics_port, {0, 65535},
                     "serve /metrics and /healthz on 127.0.0.1:P")
      ->type_name("P");
  std::string format = "text";
  app.add_option("--log-format", format, "log lines as text or json")
      ->check(CLI::IsMember({"text", "json"}));
  std::string level = "info";
  app.add_option("--log-level", level, "the least severe level logged")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  require_options(app, {{config, "--config FILE"}});
  if (auto exit_code = parse_command_line(app, argc, argv)) return exit_code;
  o.json_logs = format == "json";
  (void)ops::parse_level(level, o.level);  // one of the four, checked above
  return std::nullopt;
}

std::filesystem::path fork_journal_path() {
  // A fork's transactions must never be resumed or rebroadcast against the real node: they get a
  // journal of their own that the next real run never reads.
  return std::filesystem::temp_directory_path() /
         ("keeper-fork-journal-" + std::to_string(::getpid()) + ".log");
}

// Where keeper keeps what belongs to one chain: never the working directory.
std::filesystem::path state_dir(const config::KeeperConfig& cfg) {
  if (const auto& d = cfg.transactions.state_dir) return d->is_absolute() ? *d : cfg.base_dir / *d;
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg == '/')
    return std::filesystem::path{xdg} / "keeper";
  return cfg.base_dir / "keeper-state";
}

// The journal of this chain: named by chain id and genesis unless the config names a file (whose
// first line still names its chain, checked when it is opened).
tl::expected<std::filesystem::path, std::string> journal_path(const config::KeeperConfig& cfg,
                                                              const tx::JournalScope& scope) {
  if (const auto& p = cfg.transactions.journal_path)
    return p->is_absolute() ? *p : cfg.base_dir / *p;
  const auto dir = state_dir(cfg) / (std::to_string(scope.chain_id) + "-" +
                                     chain::hex_encode(scope.genesis).substr(2, 16));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return tl::unexpected("cannot create the state directory " + dir.string() + ": " +
                          ec.message());
  return dir / "journal.log";
}

strategy::Funding funding_of(const std::string& name) {
  if (name == "flash") return strategy::Funding::flash;
  if (name == "contract") return strategy::Funding::contract;
  return strategy::Funding::wallet;  // the config accepts nothing else
}

}  // namespace

int run_daemon_command(int argc, char** argv) {
  RunOptions parsed;
  if (auto exit_code = parse_args(argc, argv, parsed)) return *exit_code;
  const RunOptions* opts = &parsed;
  auto cfg = config::load_config_file(opts->config_path);
  if (!cfg) return fail(cfg.error().to_string());
  if (!cfg->wallet)
    return fail(opts->config_path +
                ": [wallet] is required to run (it signs, or simulates as, the liquidator)");
  const ops::Log log{opts->json_logs, opts->level};

  // The configured node must be the configured chain, fork or not.
  chain::rpc::RpcClient upstream{rpc_options(cfg->node)};
  if (auto ok = check_chain(upstream, *cfg); !ok) return fail(ok.error());
  auto key = load_wallet(*cfg->wallet, cfg->base_dir);
  if (!key) return fail(key.error());

  std::optional<Anvil> fork_node;
  if (opts->fork) {
    AnvilOptions a;
    a.fork_url = cfg->node.http_url;
    a.chain_id = cfg->chain_id;
    a.block_time_s = 1.0;
    a.stop_with_parent = true;
    auto started = Anvil::start(a);
    if (!started) return fail("cannot start the fork: " + started.error());
    fork_node.emplace(std::move(*started));
    cfg->node.http_url = fork_node->http_url();
    cfg->node.ws_url = fork_node->ws_url();
    cfg->node.extra_http_urls.clear();
    log.info("fork",
             {{"fork_url", fork_node->http_url()},
              {"pid", fork_node->pid()},
              {"keeper_pid", ::getpid()},
              {"upstream", a.fork_url.value()}},
             "forked " + *a.fork_url + " into a local anvil at " + fork_node->http_url() +
                 " (pid " + std::to_string(fork_node->pid()) +
                 "): transactions go to the fork only");
  }
  chain::rpc::RpcClient rpc{rpc_options(cfg->node)};
  if (opts->fork)
    if (auto ok = check_chain(rpc, *cfg); !ok) return fail("the fork: " + ok.error());
  log.info("start",
           {{"chain_id", cfg->chain_id},
            {"wallet", key->address().checksummed()},
            {"dry_run", opts->dry_run},
            {"fork", opts->fork}},
           "chain " + std::to_string(cfg->chain_id) + ", wallet " + key->address().checksummed() +
               (opts->dry_run ? ", dry run: nothing is broadcast" : "") +
               (opts->fork ? ", fork mode" : ""));

  std::optional<tx::TxManager> manager;
  std::optional<tx::JournalScope> scope;
  if (!opts->dry_run) {
    auto genesis = rpc.block(std::uint64_t{0});
    if (!genesis) return fail("reading the genesis block: " + genesis.error().to_string());
    scope = tx::JournalScope{cfg->chain_id, genesis->hash};
  }
  // [standby]: two instances share the key; only the holder of the lease sends (keeper/standby/).
  std::unique_ptr<standby::Standby> standby;
  if (cfg->standby && scope && !opts->fork) {
    auto joined = standby::join_standby_pair(*cfg->standby, *scope, key->address(), log);
    if (!joined) return fail(joined.error());
    standby = std::move(*joined);
  }
  const auto open_manager = [&]() -> tl::expected<void, std::string> {
    auto path = opts->fork ? fork_journal_path() : journal_path(*cfg, *scope);
    if (!path) return tl::unexpected(path.error());
    if (standby)
      if (auto adopted = standby->adopt_journal(*path); !adopted)
        return tl::unexpected(adopted.error());
    auto journal = tx::Journal::open(*path, *scope);
    if (!journal) return tl::unexpected(journal.error());
    if (standby) journal->set_mirror(&standby->mirror());
    log.info("journal", {{"path", path->string()}, {"entries", journal->entries().size()}},
             "journal " + path->string() + " (" + std::to_string(journal->entries().size()) +
                 " transactions)");
    tx::TxManagerOptions o;
    o.chain_id = cfg->chain_id;
    o.max_fee_per_gas_cap = cfg->strategy.max_fee_per_gas_wei;
    o.max_priority_fee_cap = cfg->strategy.max_priority_fee_per_gas_wei;
    o.gas_limit_multiplier = cfg->transactions.gas_limit_multiplier;
    o.replace_after_blocks = cfg->transactions.confirmations_timeout_blocks;
    o.fee_bump_permille =
        static_cast<std::uint32_t>(1000 + cfg->transactions.fee_bump_percent * 10);
    o.max_spend_per_hour_wei = cfg->transactions.max_gas_spend_per_hour_wei;
    o.max_nonce_gap_fill = cfg->transactions.max_nonce_gap_fill;
    auto m = tx::TxManager::create(rpc, *key, std::move(*journal), o);
    if (!m) return tl::unexpected(m.error());
    manager.emplace(std::move(*m));
    for (const auto& note : manager->start_notes())
      log.event(ops::Level::warn, "journal", {{"start", note}}, note);
    return {};
  };
  if (scope && !standby)  // a standby pair's instance opens it once it holds the lease
    if (auto ok = open_manager(); !ok) return fail(ok.error());

  auto head_header = block_at(rpc, std::nullopt);
  if (!head_header) return fail(head_header.error());
  if (auto ok = check_start_blocks(*cfg, head_header->number); !ok) return fail(ok.error());

  const auto funding = funding_of(cfg->strategy.funding);
  strategy::LiquidationStrategyConfig scfg;
  scfg.funding = funding;
  scfg.min_profit_usd = cfg->strategy.min_profit_usd;
  scfg.max_debt_to_cover_usd = cfg->strategy.max_debt_to_cover_usd;
  scfg.allow_assets = cfg->strategy.allow_assets;
  scfg.deny_assets = cfg->strategy.deny_assets;
  scfg.receive_collateral_deposit = cfg->strategy.receive_a_token;
  scfg.max_fee_per_gas_wei = cfg->strategy.max_fee_per_gas_wei;
  scfg.max_priority_fee_per_gas_wei = cfg->strategy.max_priority_fee_per_gas_wei;
  scfg.bid_share = cfg->strategy.bid_share;
  strategy::LiquidationStrategy strat{scfg};

  std::optional<chain::Address> liquidator_contract;
  if (cfg->liquidator) {
    // A configured contract must exist here: a typo would send every liquidation to nothing.
    auto code = rpc.code(cfg->liquidator->address, "latest");
    if (!code) return fail("reading the liquidator contract: " + code.error().to_string());
    if (code->empty())
      return fail(opts->config_path + ": liquidator.address " +
                  cfg->liquidator->address.checksummed() + " holds no contract on this chain");
    liquidator_contract = cfg->liquidator->address;
    log.info("liquidator", {{"contract", liquidator_contract->checksummed()}},
             "liquidating through keeper's contract " + liquidator_contract->checksummed());
  }
  ops::Metrics metrics;
  // Every [[markets]] entry: its protocol synced to the same head, its own engine; one wallet,
  // one transaction manager, one metrics endpoint and one WebSocket for all.
  const DaemonShared shared{rpc,
                            *cfg,
                            log,
                            metrics,
                            strat,
                            manager ? &*manager : nullptr,
                            key->address(),
                            opts->dry_run,
                            opts->fork,
                            liquidator_contract,
                            funding,
                            *head_header};
  std::vector<std::unique_ptr<MarketRunner>> markets;
  std::size_t aave_markets = 0;
  for (std::size_t i = 0; i < cfg->markets.size(); ++i) {
    auto runner = MarketRunner::build(shared, i, aave_markets);
    if (!runner) return fail(runner.error());
    if ((*runner)->aave_state() != nullptr) ++aave_markets;
    markets.push_back(std::move(*runner));
  }
  std::optional<market::PoolBook> pools;
  if (funding == strategy::Funding::flash) {
    auto book = discover_pools(shared, markets);
    if (!book) return fail(book.error());
    pools.emplace(std::move(*book));
  }
  for (auto& m : markets) m->start_pipeline(shared, pools ? &*pools : nullptr);
  // /metrics: the move to the cliff, for the first Aave market (its assets label the gauge).
  for (auto& m : markets)
    if (m->aave_state() != nullptr) {
      wire_cascade_gauge(m->pipeline(), metrics, *m->aave_state(), m->protocol());
      break;
    }
  // The engine that is about to act owns what it sends (see TxManager::set_owner).
  const auto acting = [&](const MarketRunner& m) {
    if (manager) manager->set_owner(static_cast<std::uint32_t>(m.index()));
    metrics.set_market(m.label());
  };

  boost::asio::io_context io;
  // Block builders for `[submission] mode` bundle or both; a dry run sends nothing anywhere.
  std::unique_ptr<executors::BundleExecutor> bundles;
  if (!opts->dry_run) {
    auto started = start_bundle_executor(io, cfg->submission, key->address(), metrics);
    if (!started) return fail(opts->config_path + ": " + started.error());
    bundles = std::move(*started);
    if (bundles) {
      // One executor for every market's engine: one searcher identity, one set of builders.
      for (auto& m : markets)
        m->pipeline().use_bundles(bundles.get(), submission_mode(cfg->submission));
      log.info("bundles",
               {{"mode", cfg->submission.mode}, {"builders", cfg->submission.builders.size()}},
               "liquidations go to " + std::to_string(cfg->submission.builders.size()) +
                   " block builders (submission mode " + cfg->submission.mode + ")");
    }
  }
  // Order-flow auctions: hinted oracle updates (MEV-Share's stream) answered with
  // mev_sendBundle backruns.
  std::unique_ptr<ofa::MevShareSender> auctions;
  std::unique_ptr<ofa::OfaCollector> hints;
  if (!opts->dry_run) {
    auto sender = start_auction_sender(io, cfg->submission, key->address(), metrics);
    if (!sender) return fail(opts->config_path + ": " + sender.error());
    auctions = std::move(*sender);
    auto streams = start_hint_streams(io, cfg->submission, log, metrics);
    if (!streams) return fail(opts->config_path + ": " + streams.error());
    hints = std::move(*streams);
    if (auctions)
      for (auto& m : markets)
        m->pipeline().use_auctions(auctions.get(), cfg->submission.mev_share_blocks);
  }
  std::shared_ptr<ops::StatusServer> status;
  if (opts->metrics_port || cfg->metrics) {
    const std::uint16_t port = opts->metrics_port ? *opts->metrics_port : cfg->metrics->port;
    const double max_lag = cfg->metrics.value_or(config::MetricsConfig{}).max_head_lag_seconds;
    auto server = ops::StatusServer::start(io, port, [&metrics, max_lag](const std::string& t) {
      return ops::status_route(t, metrics, max_lag, std::chrono::system_clock::now());
    });
    if (!server) return fail("metrics: " + server.error());
    status = *server;
    log.info("metrics", {{"url", "http://127.0.0.1:" + std::to_string(status->port())}},
             "metrics at http://127.0.0.1:" + std::to_string(status->port()) +
                 "/metrics, health at /healthz");
  }

  chain::ws::WsOptions ws_options;
  ws_options.url = cfg->node.ws_url;
  auto ws = chain::ws::WsClient::create(io, ws_options);
  // Liquidations stream out over the same socket while it is up (each written as soon as it is
  // signed); over HTTP, one request per batch, when it is not.
  tx::WsBroadcaster ws_broadcaster{ws};
  if (manager) manager->set_broadcaster(&ws_broadcaster);
  boost::asio::signal_set signals{io, SIGINT, SIGTERM};
  std::uint64_t blocks_seen = 0;
  int exit_code = 0;
  std::shared_ptr<standby::StandbyLoop> standby_beats;
  daemon::HeadSource* head_source = nullptr;
  const auto shutdown = [&] {
    if (hints) hints->stop();
    standby_beats.reset();
    if (head_source) head_source->stop();
    ws->stop();
    if (status) status->stop();
    signals.cancel();
    io.stop();
  };
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    log.info("stop", {{"reason", "signal"}}, "signal received, stopping");
    shutdown();
  });
  // An outage is logged (and counted) once: the socket lost, or the first attempt that failed.
  // The client retries about once a second until the node is back; those attempts are debug.
  bool ws_outage_logged = false;
  ws->on_state([&](chain::ws::WsState s, const std::string& why) {
    if (s == chain::ws::WsState::disconnected) {
      if (!ws_outage_logged) metrics.count_event("ws_disconnect");
      log.event(ws_outage_logged ? ops::Level::debug : ops::Level::warn, "ws",
                {{"state", "disconnected"}, {"why", why}}, "websocket lost: " + why);
      ws_outage_logged = true;
    }
    if (s == chain::ws::WsState::connected) {
      ws_outage_logged = false;
      log.info("ws", {{"state", "connected"}}, "websocket connected");
    }
  });
  ws->on_gap([&](const chain::ws::Gap& g) {
    // Each head reads the whole market and backfills new accounts up to it, so a gap loses
    // nothing: the next head sees every change the missed ones made.
    metrics.count_event("gap");
    log.event(ops::Level::warn, "gap", {{"from", g.from}, {"to", g.to}, {"reset", g.reset}},
              "missed blocks " + std::to_string(g.from) + ".." + std::to_string(g.to) +
                  ": covered by the next head");
  });
  // Price ticks straight from the aggregators each market's oracle reads, re-subscribed when
  // they change: one subscription per market, so each engine hears the logs it asked for.
  std::vector<std::optional<chain::ws::SubscriptionId>> price_subscriptions(markets.size());
  for (std::size_t i = 0; i < markets.size(); ++i) {
    MarketRunner* m = markets[i].get();
    auto* subscription = &price_subscriptions[i];
    m->pipeline().on_price_sources_changed([&, m, subscription](const chain::rpc::LogFilter& f) {
      // The auctions' hints are matched against the same aggregators.
      if (hints)
        for (const auto& aggregator : m->pipeline().price_emitters()) hints->follow(aggregator);
      if (*subscription) ws->unsubscribe(**subscription);
      *subscription = ws->subscribe_logs(f, [&, m](const chain::rpc::Log& l) {
        acting(*m);
        m->pipeline().on_price_log(l, Clock::now());
      });
    });
  }
  // The mempool: competitors' liquidations to outbid (full bodies; hashes where the node
  // sends only those). Each market's engine recognises its own protocol's calls.
  ws->subscribe_pending_transactions([&](const chain::rpc::PendingTransaction& tx) {
    for (auto& m : markets) {
      acting(*m);
      m->pipeline().on_pending_transaction(tx, Clock::now());
    }
  });
  const auto process_head = [&](const chain::rpc::BlockHeader& h) {
    for (auto& m : markets) {
      acting(*m);
      m->pipeline().on_head(h, Clock::now());
    }
    // The rest waits one turn of the loop: the liquidations just handed to the socket are
    // written before receipts, reports and the snapshot.
    boost::asio::post(io, [&, h] {
      for (auto& m : markets) {
        acting(*m);
        m->pipeline().finish_head(h);
        m->maybe_save();
        m->publish(metrics);
      }
      if (opts->max_blocks != 0 && ++blocks_seen >= opts->max_blocks) {
        log.info("stop", {{"reason", "max_blocks"}, {"block", h.number}},
                 "processed " + std::to_string(blocks_seen) + " blocks");
        shutdown();
      }
    });
  };
  // Heads from the socket, or polled over HTTP while it is down: in order, each once.
  daemon::HeadSource heads{io,
                           rpc,
                           log,
                           {std::chrono::milliseconds{cfg->node.head_poll_ms}},
                           [&] { return ws->state() == chain::ws::WsState::connected; },
                           process_head};
  head_source = &heads;
  ws->subscribe_heads([&](const chain::rpc::BlockHeader& h) { heads.on_socket_head(h); });
  // ops: balance, spend, competition and node gauges for the metrics endpoint, read off the loop,
  // for the first Aave market (the gauges read an Aave Pool's assets and logs).
  std::unique_ptr<ops::MoneyGauges> money_gauges;
  const auto first_aave = std::find_if(markets.begin(), markets.end(),
                                       [](const auto& m) { return m->aave_state() != nullptr; });
  if (status && first_aave != markets.end())
    money_gauges =
        start_money_gauges(io, metrics,
                           {*cfg, key->address(), liquidator_contract, *(*first_aave)->aave_state(),
                            *(*first_aave)->aave_contracts(), manager ? &*manager : nullptr,
                            *(*first_aave)->store(), (*first_aave)->pipeline(), ws});
  if (standby)  // a follower becomes the leader here; a leader that loses the lease stops
    standby_beats = standby::start_standby_loop(io, *standby, log,
                                                {[&]() -> tl::expected<void, std::string> {
                                                   if (auto ok = open_manager(); !ok) return ok;
                                                   manager->set_broadcaster(&ws_broadcaster);
                                                   for (auto& m : markets)
                                                     m->pipeline().attach_manager(&*manager);
                                                   return {};
                                                 },
                                                 [&](const std::string&) {
                                                   exit_code = 1;
                                                   shutdown();
                                                 }});
  heads.start();
  if (hints && auctions)
    hints->start([&](const ofa::HintedUpdate& u) {
      for (auto& m : markets) {
        acting(*m);
        m->pipeline().on_hinted_update(u.aggregator, u.answer, u.update_hash, Clock::now());
      }
    });
  ws->start();
  // The one edge where an exception (a library's, or a bug's) is caught on the daemon's path:
  // the loop stops, the state reached so far is saved, and keeper exits non-zero.
  try {
    io.run();
  } catch (const std::exception& e) {
    log.event(ops::Level::error, "fatal", {{"what", e.what()}},
              std::string{"stopping on an unexpected error: "} + e.what());
    exit_code = 1;
  }

  if (standby) standby->release();  // the other instance takes over at once
  engine::PipelineTotals t;         // every market's, added up
  for (auto& m : markets) {
    m->save();
    const auto& mt = m->pipeline().totals();
    t.heads = std::max(t.heads, mt.heads);
    t.failed_heads += mt.failed_heads;
    t.opportunities += mt.opportunities;
    t.dry_run_reports += mt.dry_run_reports;
    t.liquidations_sent += mt.liquidations_sent;
    t.liquidations_mined += mt.liquidations_mined;
    t.reverted += mt.reverted;
    t.realised_profit_usd += mt.realised_profit_usd;
  }
  char profit[48];
  std::snprintf(profit, sizeof profit, "%.2f", t.realised_profit_usd);
  log.info("summary",
           {{"heads", t.heads},
            {"failed_heads", t.failed_heads},
            {"opportunities", t.opportunities},
            {"would_liquidate", t.dry_run_reports},
            {"liquidations_sent", t.liquidations_sent},
            {"liquidations_mined", t.liquidations_mined},
            {"reverted", t.reverted},
            {"realised_profit_usd", t.realised_profit_usd},
            {"markets", markets.size()},
            {"fork", opts->fork}},
           std::string{opts->fork ? "on the fork: " : ""} + std::to_string(t.liquidations_mined) +
               " liquidations executed, " + std::to_string(t.reverted) +
               " reverted, realised profit $" + profit + " over " + std::to_string(t.heads) +
               " heads" +
               (markets.size() > 1 ? " in " + std::to_string(markets.size()) + " markets" : ""));
  if (fork_node) {
    const auto pid = fork_node->pid();
    fork_node->stop();
    // The fork's journal described transactions on a chain that no longer exists.
    std::error_code ignored;
    std::filesystem::remove(fork_journal_path(), ignored);
    log.info("fork_stopped", {{"pid", pid}}, "fork stopped (pid " + std::to_string(pid) + ")");
  }
  return exit_code;
}

}  // namespace keeper
