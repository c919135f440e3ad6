#include "keeper/commands/run_command.hpp"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <set>

#include <nlohmann/json.hpp>

#include "chain/abi/revert.hpp"
#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "chain/ws/ws_client.hpp"
#include "config/keeper_config.hpp"
#include "keeper/market/aave_sync.hpp"
#include "keeper/market/batch_call.hpp"
#include "keeper/tx/tx_manager.hpp"
#include "keeper/wallet/wallet_loader.hpp"
#include "strategy/liquidation_strategy.hpp"

namespace keeper {
namespace {

namespace aave = strategy::aave_v3;
using chain::Address;
using nlohmann::json;

class Log {
 public:
  explicit Log(bool as_json) : json_{as_json} {}
  // One event per line; fields never include key material.
  void event(const std::string& kind, const json& fields, const std::string& text) const {
    if (json_) {
      json line = fields;
      line["event"] = kind;
      std::cout << line.dump() << std::endl;
    } else {
      std::cout << "[" << kind << "] " << text << std::endl;
    }
  }

 private:
  bool json_;
};

int fail(const std::string& message) {
  std::cerr << "keeper run: " << message << '\n';
  return 1;
}

std::string intent_key(const strategy::LiquidateAction& a) {
  // One attempt per account, pair and position state: never the same liquidation twice.
  return "liquidation:" + a.opportunity.account.checksummed() + ":" +
         a.collateral_asset.checksummed() + ":" + a.debt_asset.checksummed() + ":" +
         chain::to_dec(a.opportunity.outcome.debt_repaid);
}

chain::Bytes liquidation_call(const strategy::LiquidateAction& a) {
  return chain::abi::encode_call("liquidationCall(address,address,address,uint256,bool)",
                                 chain::abi::Values{chain::abi::Value{a.collateral_asset},
                                                    chain::abi::Value{a.debt_asset},
                                                    chain::abi::Value{a.opportunity.account},
                                                    chain::abi::Value{a.opportunity.debt_to_cover},
                                                    chain::abi::Value{a.receive_a_token}})
      .value();
}

}  // namespace

int run_daemon_command(int argc, char** argv) {
  std::string config_path;
  bool dry_run = false;
  bool json_logs = false;
  std::uint64_t max_blocks = 0;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--dry-run") {
      dry_run = true;
    } else if (arg == "--max-blocks" && i + 1 < argc) {
      const std::string v = argv[++i];
      if (std::from_chars(v.data(), v.data() + v.size(), max_blocks).ec != std::errc{})
        return fail("--max-blocks needs a number");
    } else if (arg == "--log-format" && i + 1 < argc) {
      const std::string v = argv[++i];
      if (v != "json" && v != "text") return fail("--log-format is text or json");
      json_logs = v == "json";
    } else {
      return fail("unknown argument " + arg +
                  "\nusage: keeper run --config FILE [--dry-run] [--max-blocks N] [--log-format "
                  "text|json]");
    }
  }
  if (config_path.empty()) return fail("--config FILE is required");
  auto cfg = config::load_config_file(config_path);
  if (!cfg) return fail(cfg.error().to_string());
  if (!cfg->wallet)
    return fail(config_path +
                ": [wallet] is required to run (it signs, or simulates as, the liquidator)");
  const Log log{json_logs};

  auto rpc_options = chain::rpc::RpcClientOptions::for_urls({cfg->node.http_url});
  for (const auto& u : cfg->node.extra_http_urls) rpc_options.urls.push_back(u);
  chain::rpc::RpcClient rpc{rpc_options};
  auto chain_id = rpc.chain_id();
  if (!chain_id) return fail("node " + cfg->node.http_url + ": " + chain_id.error().to_string());
  if (*chain_id != cfg->chain_id)
    return fail("the node is on chain " + std::to_string(*chain_id) +
                " but the config says chain_id = " + std::to_string(cfg->chain_id) +
                ": refusing to start");
  auto key = load_wallet(*cfg->wallet, cfg->base_dir);
  if (!key) return fail(key.error());
  log.event(
      "start",
      {{"chain_id", *chain_id}, {"wallet", key->address().checksummed()}, {"dry_run", dry_run}},
      "chain " + std::to_string(*chain_id) + ", wallet " + key->address().checksummed() +
          (dry_run ? ", dry run: nothing is broadcast" : ""));

  std::optional<tx::TxManager> manager;
  if (!dry_run) {
    const auto journal_path = cfg->transactions.journal_path.is_absolute()
                                  ? cfg->transactions.journal_path
                                  : cfg->base_dir / cfg->transactions.journal_path;
    auto journal = tx::Journal::open(journal_path);
    if (!journal) return fail(journal.error());
    tx::TxManagerOptions o;
    o.chain_id = cfg->chain_id;
    o.max_fee_per_gas_cap = cfg->strategy.max_fee_per_gas_wei;
    o.max_priority_fee_cap = cfg->strategy.max_priority_fee_per_gas_wei;
    o.gas_limit_multiplier = cfg->transactions.gas_limit_multiplier;
    o.replace_after_blocks = cfg->transactions.confirmations_timeout_blocks;
    o.fee_bump_permille =
        static_cast<std::uint32_t>(1000 + cfg->transactions.fee_bump_percent * 10);
    o.max_spend_per_hour_wei = cfg->transactions.max_gas_spend_per_hour_wei;
    auto m = tx::TxManager::create(rpc, *key, std::move(*journal), o);
    if (!m) return fail(m.error());
    manager.emplace(std::move(*m));
  }

  const auto& market_cfg = cfg->markets.front();
  AaveSync sync{rpc, market_cfg.pool_addresses_provider};
  auto head = rpc.block_number();
  if (!head) return fail(head.error().to_string());
  auto contracts = sync.contracts(*head);
  if (!contracts) return fail(contracts.error());
  const bool tty = !json_logs && ::isatty(2);
  auto known = sync.discover_accounts(
      *contracts, market_cfg.start_block, *head, [&](const chain::rpc::BackfillProgress& p) {
        if (tty)
          std::fprintf(stderr, "\rbackfill: %llu/%llu blocks",
                       static_cast<unsigned long long>(p.blocks_done),
                       static_cast<unsigned long long>(p.blocks_total));
      });
  if (tty) std::fprintf(stderr, "\n");
  if (!known) return fail(known.error());
  std::set<Address> accounts(known->begin(), known->end());
  std::uint64_t scanned_to = *head;
  log.event("synced", {{"block", *head}, {"accounts", accounts.size()}},
            std::to_string(accounts.size()) + " accounts known at block " + std::to_string(*head));

  strategy::LiquidationStrategyConfig scfg;
  scfg.min_profit_usd = cfg->strategy.min_profit_usd;
  scfg.max_debt_to_cover_usd = cfg->strategy.max_debt_to_cover_usd;
  scfg.allow_assets = cfg->strategy.allow_assets;
  scfg.deny_assets = cfg->strategy.deny_assets;
  scfg.receive_a_token = cfg->strategy.receive_a_token;
  scfg.max_fee_per_gas_wei = cfg->strategy.max_fee_per_gas_wei;
  strategy::AaveLiquidationStrategy strat{scfg};
  std::set<Address> approved;
  std::map<Address, std::uint64_t> liquidating;  // account -> nonce of our liquidation in flight
  std::uint64_t blocks_seen = 0;
  int exit_code = 0;

  boost::asio::io_context io;
  chain::ws::WsOptions ws_options;
  ws_options.url = cfg->node.ws_url;
  auto ws = chain::ws::WsClient::create(io, ws_options);
  boost::asio::signal_set signals{io, SIGINT, SIGTERM};
  const auto shutdown = [&] {
    ws->stop();
    signals.cancel();
    io.stop();
  };
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    log.event("stop", {{"reason", "signal"}}, "signal received, stopping");
    shutdown();
  });
  ws->on_state([&](chain::ws::WsState s, const std::string& why) {
    if (s == chain::ws::WsState::disconnected)
      log.event("ws", {{"state", "disconnected"}, {"why", why}}, "websocket lost: " + why);
    if (s == chain::ws::WsState::connected)
      log.event("ws", {{"state", "connected"}}, "websocket connected");
  });
  ws->on_gap([&](const chain::ws::Gap& g) {
    // Each head resyncs the whole market and backfills accounts up to it, so a gap loses nothing.
    log.event("gap", {{"from", g.from}, {"to", g.to}, {"reset", g.reset}},
              "missed blocks " + std::to_string(g.from) + ".." + std::to_string(g.to) +
                  ": backfilled at the next head");
  });
  ws->subscribe_heads([&](const chain::rpc::BlockHeader& h) {
    const std::uint64_t block = h.number;
    if (block > scanned_to) {
      auto fresh = sync.discover_accounts(*contracts, scanned_to + 1, block);
      if (fresh) {
        accounts.insert(fresh->begin(), fresh->end());
        scanned_to = block;
      }
    }
    auto market = sync.market(*contracts, block);
    auto state = market
                     ? sync.accounts(*contracts, *market,
                                     std::vector<Address>(accounts.begin(), accounts.end()), block)
                     : decltype(sync.accounts(*contracts, *market, {}, block)){
                           tl::unexpected(market.error())};
    if (!market || !state) {
      log.event(
          "error", {{"block", block}, {"what", market ? state.error() : market.error()}},
          "block " + std::to_string(block) + ": " + (market ? state.error() : market.error()));
      return;
    }
    strategy::MarketView view{&*market, &*state, block, h.timestamp + 1};
    const auto actions = strat.process_event(strategy::NewBlock{view});
    for (const auto& action : actions) {
      const auto& a = std::get<strategy::LiquidateAction>(action);
      const auto& o = a.opportunity;
      const json fields{{"block", block},
                        {"account", o.account.checksummed()},
                        {"health_factor", chain::to_double(o.outcome.health_factor) / 1e18},
                        {"collateral", market->reserves[o.collateral].symbol},
                        {"debt", market->reserves[o.debt].symbol},
                        {"debt_to_cover", chain::to_dec(o.debt_to_cover)},
                        {"expected_profit_usd", a.profit_usd}};
      const std::string summary = o.account.checksummed() + " HF " +
                                  std::to_string(chain::to_double(o.outcome.health_factor) / 1e18) +
                                  " " + market->reserves[o.collateral].symbol + "/" +
                                  market->reserves[o.debt].symbol + " profit $" +
                                  std::to_string(a.profit_usd);
      if (dry_run) {
        const chain::rpc::CallRequest call{key->address(),
                                           market->reserves.empty() ? Address{} : contracts->pool,
                                           liquidation_call(a), std::nullopt, std::nullopt};
        auto sim = rpc.eth_call(call, "latest");
        json f = fields;
        f["simulation"] =
            sim ? "ok"
                : (sim.error().revert_data
                       ? chain::abi::decode_revert(*sim.error().revert_data).to_string()
                       : sim.error().to_string());
        log.event("would_liquidate", f,
                  summary + " simulation " + f["simulation"].get<std::string>());
        continue;
      }
      if (const auto it = liquidating.find(o.account);
          it != liquidating.end() && manager->is_in_flight(it->second))
        continue;  // our previous liquidation of this account has not landed yet
      // Direct funding: the Pool may pull the debt asset (approved once).
      if (!approved.count(a.debt_asset)) {
        const tx::Intent approve{
            "approve:" + a.debt_asset.checksummed(), a.debt_asset,
            chain::abi::encode_call("approve(address,uint256)",
                                    chain::abi::Values{chain::abi::Value{contracts->pool},
                                                       chain::abi::Value{chain::kU256Max}})
                .value(),
            0};
        auto r = manager->submit(approve, block);
        if (r || r.error().kind == tx::SubmitErrorKind::duplicate) approved.insert(a.debt_asset);
      }
      auto sent = manager->submit({intent_key(a), contracts->pool, liquidation_call(a), 0}, block);
      if (sent) {
        liquidating[o.account] = sent->nonce;
        json f = fields;
        f["tx"] = chain::hex_encode(sent->hash);
        f["nonce"] = sent->nonce;
        log.event("liquidation_sent", f, summary + " tx " + chain::hex_encode(sent->hash));
      } else if (sent.error().kind != tx::SubmitErrorKind::duplicate) {
        json f = fields;
        f["error"] = sent.error().message;
        log.event("liquidation_skipped", f, summary + ": " + sent.error().message);
        if (sent.error().kind == tx::SubmitErrorKind::spend_limit)
          log.event("spend_limit", {{"block", block}},
                    "hourly gas spend limit reached: not sending until it frees up");
      }
    }
    if (manager) {
      const auto before = manager->counters();
      manager->on_block(block);
      const auto& after = manager->counters();
      if (after.mined != before.mined || after.reverted != before.reverted ||
          after.cancelled != before.cancelled)
        log.event("transactions",
                  {{"block", block},
                   {"mined", after.mined},
                   {"reverted", after.reverted},
                   {"cancelled", after.cancelled},
                   {"replaced", after.replaced}},
                  "block " + std::to_string(block) + ": mined " + std::to_string(after.mined) +
                      ", reverted " + std::to_string(after.reverted) + ", cancelled " +
                      std::to_string(after.cancelled));
    }
    if (max_blocks != 0 && ++blocks_seen >= max_blocks) {
      log.event("stop", {{"reason", "max_blocks"}, {"block", block}},
                "processed " + std::to_string(blocks_seen) + " blocks");
      shutdown();
    }
  });
  ws->start();
  io.run();
  return exit_code;
}

}  // namespace keeper
