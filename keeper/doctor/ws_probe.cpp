#include "keeper/doctor/ws_probe.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "chain/rpc/json_codec.hpp"
#include "chain/ws/ws_client.hpp"

namespace keeper::doctor {
namespace {

using chain::rpc::Json;
using chain::rpc::RpcError;

tl::expected<std::uint64_t, std::string> chain_id_of(const tl::expected<Json, RpcError>& r) {
  if (!r) return tl::unexpected("eth_chainId: " + r.error().to_string());
  auto id = chain::rpc::quantity_u64(*r, "eth_chainId");
  if (!id) return tl::unexpected(id.error().to_string());
  return *id;
}

}  // namespace

WsProbe probe_websocket(const std::string& url, std::chrono::milliseconds timeout) {
  WsProbe probe;
  boost::asio::io_context io;
  chain::ws::WsOptions options;
  options.url = url;
  options.connect_timeout = timeout;
  options.handshake_timeout = timeout;
  options.request_timeout = timeout;
  auto ws = chain::ws::WsClient::create(io, options);
  boost::asio::steady_timer deadline{io, 4 * timeout};
  bool done = false;
  const auto started = std::chrono::steady_clock::now();
  const auto finish = [&] {
    if (done) return;
    done = true;
    deadline.cancel();
    ws->stop();
  };
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (ec) return;
    const std::string why = "no answer within " + std::to_string(4 * timeout.count()) + " ms";
    if (!probe.chain_id) probe.chain_id = tl::unexpected(why);
    finish();
  });
  ws->on_state([&](chain::ws::WsState state, const std::string& why) {
    if (done) return;
    if (state == chain::ws::WsState::disconnected || state == chain::ws::WsState::stopped) {
      // Before the probe finished: the endpoint refused, timed out or dropped us.
      const std::string error = "cannot connect to " + url + ": " + why;
      if (!probe.chain_id) probe.chain_id = tl::unexpected(error);
      finish();
      return;
    }
    if (state != chain::ws::WsState::connected) return;
    probe.connect_time = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    ws->request("eth_chainId", Json::array(), [&](tl::expected<Json, RpcError> id) {
      probe.chain_id = chain_id_of(id);
      // The subscription keeper run makes: full transaction bodies (true).
      ws->request("eth_subscribe", Json::array({"newPendingTransactions", true}),
                  [&](tl::expected<Json, RpcError> sub) {
                    if (!sub) {
                      probe.pending_transactions = tl::unexpected(
                          "eth_subscribe newPendingTransactions: " + sub.error().to_string());
                      return finish();
                    }
                    if (!sub->is_string()) {
                      probe.pending_transactions = tl::unexpected(
                          std::string{"eth_subscribe newPendingTransactions: no subscription id"});
                      return finish();
                    }
                    probe.pending_transactions = {};
                    ws->request("eth_unsubscribe", Json::array({sub->get<std::string>()}),
                                [&](const tl::expected<Json, RpcError>&) { finish(); });
                  });
    });
  });
  ws->start();
  io.run();
  return probe;
}

}  // namespace keeper::doctor
