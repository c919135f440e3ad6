#include "keeper/commands/money_gauges_wiring.hpp"

#include "keeper/commands/node_connection.hpp"

namespace keeper {

std::unique_ptr<ops::MoneyGauges> start_money_gauges(boost::asio::io_context& io,
                                                     ops::Metrics& metrics,
                                                     const DaemonParts& parts) {
  const auto& cfg = parts.cfg;
  ops::MoneyGaugeOptions o;
  o.market = cfg.markets.front().name.empty() ? "market0" : cfg.markets.front().name;
  o.rpc = rpc_options(cfg.node);
  // One attempt per read: a dead node shows as node_up 0 at once, and stopping never waits out
  // retries.
  o.rpc.max_attempts = 1;
  o.rpc.call_budget = o.rpc.http.request_timeout;
  o.wallet = parts.wallet;
  o.liquidator_contract = parts.liquidator_contract;
  o.pool = parts.contracts.pool;
  for (const auto& r : parts.state.market().reserves)
    o.tokens.push_back({r.symbol, r.asset, r.config.decimals});
  o.scan_from_block = parts.state.block();
  o.max_fee_per_gas_wei = cfg.strategy.max_fee_per_gas_wei;
  o.spend_cap_per_hour_wei = cfg.transactions.max_gas_spend_per_hour_wei;

  ops::DaemonProbes probes;
  probes.websocket_connected = [ws = parts.ws.get()] {
    return ws->state() == chain::ws::WsState::connected;
  };
  if (const auto* manager = parts.manager)
    probes.spend_last_hour_wei = [manager]() -> std::optional<chain::u256> {
      return manager->spend_last_hour(std::chrono::steady_clock::now());
    };
  probes.failed_heads = [pipeline = &parts.pipeline] { return pipeline->totals().failed_heads; };
  probes.snapshot_write_failures = [store = &parts.store] { return store->failed_saves(); };

  auto gauges = std::make_unique<ops::MoneyGauges>(io, metrics, std::move(o), std::move(probes));
  // A subscription of its own: the daemon's head handler stays as it is.
  parts.ws->subscribe_heads(
      [g = gauges.get()](const chain::rpc::BlockHeader& h) { g->on_head(h.number); });
  return gauges;
}

}  // namespace keeper
