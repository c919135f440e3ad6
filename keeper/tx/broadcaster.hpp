#pragma once
// The seam between "signed and journalled" and "on the wire": where a signed transaction goes and
// how keeper learns that its bytes left and what the node said. The public mempool over HTTP or the
// node's WebSocket today; private bundles and other routes plug in here.
#include <chrono>
#include <functional>
#include <vector>

#include <tl/expected.hpp>

#include "chain/bytes.hpp"
#include "chain/rpc/rpc_client.hpp"

namespace keeper::tx {

struct SendCallbacks {
  // The transaction's bytes are on the socket (before any answer).
  std::function<void(std::chrono::steady_clock::time_point)> on_written;
  // The node's answer. A transport failure after the bytes were written says maybe_delivered.
  std::function<void(const tl::expected<chain::rpc::SendResult, chain::rpc::RpcError>&)> on_answer;
};

class Broadcaster {
 public:
  virtual ~Broadcaster() = default;
  // Hands every transaction over at once and returns without waiting for the node: all are on
  // the wire before any answer; the callbacks (one per transaction, in order) come later on the
  // caller's event loop. Not ready (e.g. the socket is down): the caller sends another way.
  [[nodiscard]] virtual bool ready() const = 0;
  virtual void send_all(const std::vector<chain::Bytes>& raws,
                        std::vector<SendCallbacks> callbacks) = 0;
};

}  // namespace keeper::tx
