#pragma once
// The one error type every JSON-RPC transport (HTTP or WebSocket) returns, so callers can tell a
// dead node from a reverted call from a lying response.
#include <cstdint>
#include <optional>
#include <string>

#include "chain/bytes.hpp"

namespace chain::rpc {

enum class RpcErrorKind {
  transport,      // connection refused/reset, DNS, TLS, timeout: the request may not have arrived
  timeout,        // no complete answer within the deadline
  http_status,    // the server answered with a non-2xx HTTP status
  rpc_error,      // a well-formed JSON-RPC error object (code, message, data)
  malformed,      // not JSON, not JSON-RPC 2.0, missing result, wrong types
  mismatched_id,  // an answer to a request we did not make
  too_large,      // response or frame over the configured limit
  closed,         // the connection was closed (by us or the peer) before the answer
};

struct RpcError {
  RpcErrorKind kind = RpcErrorKind::transport;
  std::string message;
  long http_status = 0;                 // for http_status
  std::int64_t code = 0;                // JSON-RPC error code, for rpc_error
  std::optional<Bytes> revert_data;     // `data` of an rpc_error when it is hex (revert bytes)
  std::optional<std::string> raw_data;  // `data` of an rpc_error as text otherwise
  std::optional<std::int64_t> retry_after_ms;  // from HTTP Retry-After
  // False only when the request certainly never reached the node (connection refused, DNS):
  // the one case where resending a transaction is safe without asking the node first.
  bool maybe_delivered = true;

  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] static RpcError of(RpcErrorKind kind, std::string message) {
    RpcError e;
    e.kind = kind;
    e.message = std::move(message);
    return e;
  }
};

[[nodiscard]] std::string_view describe(RpcErrorKind kind) noexcept;

}  // namespace chain::rpc
