#pragma once
// Where a JSON-RPC request body goes and its answer comes from: one HTTP endpoint in production,
// a scripted node in unit tests. RpcClient adds ids, retries, failover and typed calls on top, so
// everything built on RpcClient can be tested without a node.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "chain/rpc/rpc_error.hpp"

namespace chain::rpc {

struct HttpResponse {
  // When the request went out: curl writes a small POST in one send right after its pre-transfer
  // point, so this is when the bytes reached the socket, not when the answer came.
  std::chrono::steady_clock::time_point written_at;
  long status = 0;
  std::string body;
  std::optional<std::int64_t> retry_after_ms;
};

class Transport {
 public:
  Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  virtual ~Transport() = default;
  // POSTs one JSON-RPC body (a request or a batch). Non-2xx statuses come back as http_status
  // errors (with Retry-After).
  [[nodiscard]] virtual tl::expected<HttpResponse, RpcError> post_json(
      std::string_view body, std::chrono::milliseconds timeout) = 0;
  [[nodiscard]] virtual const std::string& url() const noexcept = 0;
};

}  // namespace chain::rpc
