#pragma once
// What `keeper doctor` asks of the node's WebSocket endpoint: that it connects and answers
// (eth_chainId), and that it accepts the mempool subscription keeper run makes
// (eth_subscribe "newPendingTransactions" with full bodies), which is then cancelled.
#include <chrono>
#include <cstdint>
#include <string>

#include <tl/expected.hpp>

namespace keeper::doctor {

struct WsProbe {
  tl::expected<std::uint64_t, std::string> chain_id =
      tl::unexpected(std::string{"not asked"});  // over the socket
  tl::expected<void, std::string> pending_transactions = tl::unexpected(std::string{"not asked"});
  std::chrono::milliseconds connect_time{0};
};

// Bounded: gives up `timeout` after each step (connect, each request).
[[nodiscard]] WsProbe probe_websocket(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace keeper::doctor
