#pragma once
// Classifies one WebSocket message from the node: an eth_subscription notification (typed head,
// log or pending transaction), or a response to one of our requests.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "chain/rpc/json_codec.hpp"

namespace chain::ws {

struct HeadNotification {
  std::string subscription;
  rpc::BlockHeader head;
};
struct LogNotification {
  std::string subscription;
  rpc::Log log;
};
struct PendingTxNotification {
  std::string subscription;
  // The full body; or only its hash, from nodes that ignore the full-body flag; or why the body
  // was rejected, kept apart from broken JSON so the caller can count it as a bad transaction.
  std::variant<rpc::PendingTransaction, Hash, rpc::RpcError> body;
};
struct Response {
  std::uint64_t id = 0;
  nlohmann::json message;  // the whole response object, validated later against the request
};

using Message = std::variant<HeadNotification, LogNotification, PendingTxNotification, Response>;

// What a subscription carries; unknown ids are the caller's.
enum class SubscriptionKind { heads, logs, pending_transactions };

// Parses the text; for notifications, `kind_of(subscription id)` says what to decode, or
// nullopt when the id is unknown (then the result is a malformed error naming it).
template <class KindOf>
tl::expected<Message, rpc::RpcError> parse_message(std::string_view text, KindOf&& kind_of);

// ---- implementation ----
[[nodiscard]] tl::expected<Message, rpc::RpcError> parse_message_json(
    const nlohmann::json& doc,
    std::optional<SubscriptionKind> (*kind_of)(const std::string&, void*), void* ctx);

template <class KindOf>
tl::expected<Message, rpc::RpcError> parse_message(std::string_view text, KindOf&& kind_of) {
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded())
    return tl::unexpected(
        rpc::RpcError::of(rpc::RpcErrorKind::malformed, "message is not valid JSON"));
  auto thunk = [](const std::string& id, void* c) -> std::optional<SubscriptionKind> {
    return (*static_cast<std::remove_reference_t<KindOf>*>(c))(id);
  };
  return parse_message_json(doc, thunk, &kind_of);
}

}  // namespace chain::ws
