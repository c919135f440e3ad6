#include "keeper/doctor/doctor.hpp"

#include <cstdio>

#include "keeper/commands/node_connection.hpp"
#include "keeper/doctor/checks.hpp"

namespace keeper::doctor {

std::string eth_text(const chain::u256& wei) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f ETH", chain::to_double(wei) / 1e18);
  return buf;
}

Report run_doctor(const config::KeeperConfig& cfg, const DoctorOptions& options) {
  Report report;
  auto rpc_opts = rpc_options(cfg.node);
  // A doctor answers in seconds: one retry, bounded by the step timeout.
  rpc_opts.max_attempts = 2;
  rpc_opts.http.request_timeout = options.timeout;
  rpc_opts.call_budget = 2 * options.timeout;
  chain::rpc::RpcClient rpc{rpc_opts};
  Context c{cfg, options, rpc, report, {}, {}, {}, {}};

  const bool chain_readable = check_node(c);
  check_websocket(c);
  check_wallet_key(c);
  const auto skip_all = [&](std::initializer_list<const char*> names) {
    for (const char* name : names)
      report.skip(name, "the node cannot be read (see the lines above)");
  };
  if (!chain_readable) {
    skip_all({"wallet gas", "market", "liquidator", "funding"});
  } else {
    check_wallet_gas(c);
    check_markets(c);
    check_liquidator(c);
    check_funding(c);
  }
  check_builders(c);
  return report;
}

}  // namespace keeper::doctor
