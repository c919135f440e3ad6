#pragma once
// JSON-RPC 2.0 envelopes, shared by the HTTP and WebSocket transports.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "chain/rpc/rpc_error.hpp"

namespace chain::rpc {

using Json = nlohmann::json;

struct Call {
  std::string method;
  Json params = Json::array();
};

[[nodiscard]] std::string request_text(std::uint64_t id, const Call& call);
[[nodiscard]] std::string batch_text(std::uint64_t first_id, const std::vector<Call>& calls);

// Validates one response object (already parsed) against the id we sent.
[[nodiscard]] tl::expected<Json, RpcError> response_result(const Json& response,
                                                           std::uint64_t expected_id);
// Parses a response body for a single request.
[[nodiscard]] tl::expected<Json, RpcError> parse_response(std::string_view body,
                                                          std::uint64_t expected_id);
// Parses a batch body; results come back in the order of the calls, whatever order the server
// used. A whole-batch failure is the outer error; a missing item is that item's error.
[[nodiscard]] tl::expected<std::vector<tl::expected<Json, RpcError>>, RpcError> parse_batch(
    std::string_view body, std::uint64_t first_id, std::size_t count);

// The error object of a JSON-RPC error response, typed (revert data decoded when hex).
[[nodiscard]] RpcError error_from_object(const Json& error);

}  // namespace chain::rpc
