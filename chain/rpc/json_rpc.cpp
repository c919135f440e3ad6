#include "chain/rpc/json_rpc.hpp"

#include "chain/hex.hpp"

namespace chain::rpc {
namespace {

RpcError malformed(std::string message) {
  return RpcError::of(RpcErrorKind::malformed, std::move(message));
}

Json request_object(std::uint64_t id, const Call& call) {
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", call.method}, {"params", call.params}};
}

}  // namespace

std::string request_text(std::uint64_t id, const Call& call) {
  return request_object(id, call).dump();
}

std::string batch_text(std::uint64_t first_id, const std::vector<Call>& calls) {
  Json batch = Json::array();
  for (std::size_t i = 0; i < calls.size(); ++i)
    batch.push_back(request_object(first_id + i, calls[i]));
  return batch.dump();
}

RpcError error_from_object(const Json& error) {
  RpcError e;
  e.kind = RpcErrorKind::rpc_error;
  if (!error.is_object() || !error.contains("code") || !error["code"].is_number_integer())
    return malformed("error object without an integer code");
  e.code = error["code"].get<std::int64_t>();
  if (error.contains("message") && error["message"].is_string())
    e.message = error["message"].get<std::string>();
  if (error.contains("data")) {
    const Json& data = error["data"];
    if (data.is_string()) {
      auto bytes = hex_decode(data.get<std::string>(), HexPrefix::required);
      if (bytes) {
        e.revert_data = std::move(*bytes);
      } else {
        e.raw_data = data.get<std::string>();
      }
    } else if (!data.is_null()) {
      e.raw_data = data.dump();
    }
  }
  return e;
}

tl::expected<Json, RpcError> response_result(const Json& response, std::uint64_t expected_id) {
  if (!response.is_object()) return tl::unexpected(malformed("response is not a JSON object"));
  if (!response.contains("jsonrpc") || response["jsonrpc"] != "2.0")
    return tl::unexpected(malformed("response is not JSON-RPC 2.0"));
  if (!response.contains("id") || !response["id"].is_number_unsigned() ||
      response["id"].get<std::uint64_t>() != expected_id) {
    // Some nodes answer a malformed request with id null and an error: report that error.
    if (response.contains("error") && response.contains("id") && response["id"].is_null())
      return tl::unexpected(error_from_object(response["error"]));
    RpcError e;
    e.kind = RpcErrorKind::mismatched_id;
    e.message = "expected id " + std::to_string(expected_id) + ", got " +
                (response.contains("id") ? response["id"].dump() : std::string{"none"});
    return tl::unexpected(e);
  }
  const bool has_result = response.contains("result");
  const bool has_error = response.contains("error");
  if (has_result == has_error)
    return tl::unexpected(malformed("response must have exactly one of result and error"));
  if (has_error) return tl::unexpected(error_from_object(response["error"]));
  return response["result"];
}

tl::expected<Json, RpcError> parse_response(std::string_view body, std::uint64_t expected_id) {
  const Json doc = Json::parse(body, nullptr, false);
  if (doc.is_discarded()) return tl::unexpected(malformed("response body is not valid JSON"));
  return response_result(doc, expected_id);
}

tl::expected<std::vector<tl::expected<Json, RpcError>>, RpcError> parse_batch(
    std::string_view body, std::uint64_t first_id, std::size_t count) {
  const Json doc = Json::parse(body, nullptr, false);
  if (doc.is_discarded()) return tl::unexpected(malformed("batch response body is not valid JSON"));
  if (doc.is_object() && doc.contains("error"))
    return tl::unexpected(error_from_object(doc["error"]));
  if (!doc.is_array()) return tl::unexpected(malformed("batch response is not an array"));
  RpcError missing;
  missing.kind = RpcErrorKind::mismatched_id;
  missing.message = "batch response has no item for this request";
  std::vector<tl::expected<Json, RpcError>> out(count, tl::unexpected(missing));
  for (const auto& item : doc) {
    if (!item.is_object() || !item.contains("id") || !item["id"].is_number_unsigned()) continue;
    const auto id = item["id"].get<std::uint64_t>();
    if (id < first_id || id - first_id >= count) continue;
    out[id - first_id] = response_result(item, id);
  }
  return out;
}

}  // namespace chain::rpc
