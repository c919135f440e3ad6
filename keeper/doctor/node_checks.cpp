// The node: each HTTP endpoint, the chain it is on, whether it is synced and how old its head is;
// then its WebSocket endpoint.
#include <cstdio>

#include "keeper/doctor/checks.hpp"
#include "keeper/doctor/ws_probe.hpp"

namespace keeper::doctor {
namespace {

using Ms = std::chrono::milliseconds;

std::string ms_since(std::chrono::steady_clock::time_point start) {
  return std::to_string(
             std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - start).count()) +
         " ms";
}

// One endpoint on its own, so a dead failover is seen even while the primary answers.
void check_http_endpoint(Context& c, const std::string& url, const std::string& name) {
  auto o = chain::rpc::RpcClientOptions::for_urls({url});
  o.max_attempts = 1;
  o.http.request_timeout = c.options.timeout;
  o.call_budget = c.options.timeout;
  chain::rpc::RpcClient rpc{o};
  const auto start = std::chrono::steady_clock::now();
  auto id = rpc.chain_id();
  if (!id) return c.report.fail(name, url + " does not answer: " + id.error().to_string());
  const std::string took = ms_since(start);
  std::string client;
  if (auto v = rpc.call("web3_clientVersion", chain::rpc::Json::array()); v && v->is_string())
    client = ", " + v->get<std::string>().substr(0, 80);
  c.report.ok(name, url + " answers in " + took + client);
}

bool check_sync(Context& c) {
  auto syncing = c.rpc.call("eth_syncing", chain::rpc::Json::array());
  if (!syncing) {
    c.report.fail("node sync", "eth_syncing: " + syncing.error().to_string());
    return false;
  }
  if (syncing->is_boolean() && !syncing->get<bool>()) {
    c.report.ok("node sync", "not syncing (eth_syncing is false)");
    return true;
  }
  std::string progress;
  if (syncing->is_object())
    progress = ": at block " + syncing->value("currentBlock", std::string{"?"}) + " of " +
               syncing->value("highestBlock", std::string{"?"});
  c.report.fail("node sync", "the node is still syncing" + progress +
                                 ": its state is behind the chain, keeper would act on old prices");
  return false;
}

void check_head(Context& c) {
  auto head = c.rpc.block(std::string{"latest"});
  if (!head) return c.report.fail("head age", "latest block: " + head.error().to_string());
  c.head = *head;
  const double limit = c.cfg.metrics.value_or(config::MetricsConfig{}).max_head_lag_seconds;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const auto age = static_cast<double>(now) - static_cast<double>(head->timestamp);
  char text[160];
  std::snprintf(text, sizeof text,
                "block %llu is %.0f s old (limit %.0f s: [metrics] "
                "max_head_lag_seconds)",
                static_cast<unsigned long long>(head->number), age < 0 ? 0.0 : age, limit);
  if (age > limit)
    return c.report.fail("head age", std::string{text} +
                                         ": the node is not following the chain, or the chain "
                                         "has stopped");
  c.report.ok("head age", text);
}

}  // namespace

bool check_node(Context& c) {
  check_http_endpoint(c, c.cfg.node.http_url, "http node");
  for (std::size_t i = 0; i < c.cfg.node.extra_http_urls.size(); ++i)
    check_http_endpoint(c, c.cfg.node.extra_http_urls[i], "http failover " + std::to_string(i + 1));
  auto id = c.rpc.chain_id();
  if (!id) {
    c.report.skip("chain id", "no HTTP endpoint answers");
    c.report.skip("node sync", "no HTTP endpoint answers");
    c.report.skip("head age", "no HTTP endpoint answers");
    return false;
  }
  if (*id != c.cfg.chain_id) {
    c.report.fail("chain id",
                  "the node is on chain " + std::to_string(*id) +
                      " but the config says chain_id = " + std::to_string(c.cfg.chain_id) +
                      ": keeper run refuses to start (a wrong node or a wrong config)");
    c.report.skip("node sync", "the node is on another chain");
    c.report.skip("head age", "the node is on another chain");
    return false;
  }
  c.report.ok("chain id", std::to_string(*id) + ", as configured");
  check_sync(c);
  check_head(c);
  return c.head.has_value();
}

void check_websocket(Context& c) {
  const auto probe = probe_websocket(c.cfg.node.ws_url, c.options.timeout);
  if (!probe.chain_id) {
    c.report.fail("websocket", c.cfg.node.ws_url + ": " + probe.chain_id.error() +
                                   ": keeper run follows heads and prices over it");
    c.report.skip("mempool subscription", "the WebSocket is not reachable");
    return;
  }
  if (*probe.chain_id != c.cfg.chain_id)
    c.report.fail("websocket", c.cfg.node.ws_url + " is on chain " +
                                   std::to_string(*probe.chain_id) + ", the config says " +
                                   std::to_string(c.cfg.chain_id));
  else
    c.report.ok("websocket", c.cfg.node.ws_url + " connects in " +
                                 std::to_string(probe.connect_time.count()) + " ms, chain " +
                                 std::to_string(*probe.chain_id));
  if (!probe.pending_transactions)
    c.report.fail("mempool subscription",
                  probe.pending_transactions.error() +
                      ": keeper would not see competitors' pending liquidations to outbid");
  else
    c.report.ok("mempool subscription",
                "eth_subscribe(\"newPendingTransactions\", true) accepted (and cancelled)");
}

}  // namespace keeper::doctor
