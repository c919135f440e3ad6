#pragma once
// Transactions over the node's WebSocket, already open: a batch of signed transactions is one
// JSON-RPC batch in one frame (one write, no connection set-up, no HTTP round trip to wait on),
// and the answers are handled when they come.
#include <memory>

#include "chain/ws/ws_client.hpp"
#include "keeper/tx/broadcaster.hpp"

namespace keeper::tx {

class WsBroadcaster final : public Broadcaster {
 public:
  explicit WsBroadcaster(std::shared_ptr<chain::ws::WsClient> ws) : ws_{std::move(ws)} {}
  [[nodiscard]] bool ready() const override;
  void send_all(const std::vector<chain::Bytes>& raws,
                std::vector<SendCallbacks> callbacks) override;

 private:
  std::shared_ptr<chain::ws::WsClient> ws_;
};

}  // namespace keeper::tx
