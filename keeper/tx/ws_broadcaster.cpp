#include "keeper/tx/ws_broadcaster.hpp"

#include "chain/hex.hpp"

namespace keeper::tx {

bool WsBroadcaster::ready() const { return ws_->state() == chain::ws::WsState::connected; }

void WsBroadcaster::send_all(const std::vector<chain::Bytes>& raws,
                             std::vector<SendCallbacks> callbacks) {
  auto shared = std::make_shared<std::vector<SendCallbacks>>(std::move(callbacks));
  auto written = std::make_shared<bool>(false);
  std::vector<chain::rpc::Call> calls;
  calls.reserve(raws.size());
  std::vector<chain::ws::ResponseHandler> handlers;
  handlers.reserve(raws.size());
  for (std::size_t i = 0; i < raws.size(); ++i) {
    calls.push_back(
        {"eth_sendRawTransaction", chain::rpc::Json::array({chain::hex_encode(raws[i])})});
    handlers.emplace_back(
        [shared, written, i](tl::expected<chain::rpc::Json, chain::rpc::RpcError> answer) {
          // A failure before the bytes left cannot have reached the node; after, it may have.
          if (!answer) answer.error().maybe_delivered = *written;
          (*shared)[i].on_answer(chain::rpc::send_result(answer));
        });
  }
  ws_->request_batch(calls, std::move(handlers), [shared, written] {
    *written = true;
    const auto at = std::chrono::steady_clock::now();
    for (auto& c : *shared) c.on_written(at);
  });
}

}  // namespace keeper::tx
