#include "chain/rpc/rpc_error.hpp"

namespace chain::rpc {

std::string_view describe(RpcErrorKind kind) noexcept {
  switch (kind) {
    case RpcErrorKind::transport: return "transport failure";
    case RpcErrorKind::timeout: return "timed out";
    case RpcErrorKind::http_status: return "HTTP error status";
    case RpcErrorKind::rpc_error: return "JSON-RPC error";
    case RpcErrorKind::malformed: return "malformed response";
    case RpcErrorKind::mismatched_id: return "response id does not match the request";
    case RpcErrorKind::too_large: return "response too large";
    case RpcErrorKind::closed: return "connection closed";
  }
  return "unknown RPC error";
}

std::string RpcError::to_string() const {
  std::string out{describe(kind)};
  if (kind == RpcErrorKind::http_status) out += " " + std::to_string(http_status);
  if (kind == RpcErrorKind::rpc_error) out += " " + std::to_string(code);
  if (!message.empty()) out += ": " + message;
  return out;
}

}  // namespace chain::rpc
