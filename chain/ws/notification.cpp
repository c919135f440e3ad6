#include "chain/ws/notification.hpp"

namespace chain::ws {
namespace {

std::variant<rpc::PendingTransaction, Hash, rpc::RpcError> pending_body(const nlohmann::json& v) {
  if (v.is_string()) {
    auto hash = rpc::hash_of(v, "pending transaction hash");
    if (!hash) return hash.error();
    return *hash;
  }
  auto tx = rpc::pending_transaction_from_json(v);
  if (!tx) return tx.error();
  return std::move(*tx);
}

}  // namespace

tl::expected<Message, rpc::RpcError> parse_message_json(
    const nlohmann::json& doc,
    std::optional<SubscriptionKind> (*kind_of)(const std::string&, void*), void* ctx) {
  using rpc::RpcError;
  using rpc::RpcErrorKind;
  if (!doc.is_object())
    return tl::unexpected(RpcError::of(RpcErrorKind::malformed, "message is not an object"));
  const auto method = doc.find("method");
  if (method != doc.end()) {
    if (*method != "eth_subscription")
      return tl::unexpected(
          RpcError::of(RpcErrorKind::malformed, "unexpected method " + method->dump()));
    const auto params = doc.find("params");
    if (params == doc.end() || !params->is_object() || !params->contains("subscription") ||
        !(*params)["subscription"].is_string() || !params->contains("result"))
      return tl::unexpected(
          RpcError::of(RpcErrorKind::malformed, "eth_subscription without params"));
    const std::string& id = (*params)["subscription"].get_ref<const std::string&>();
    const auto kind = kind_of(id, ctx);
    if (!kind)
      return tl::unexpected(
          RpcError::of(RpcErrorKind::mismatched_id, "unknown subscription " + id));
    if (*kind == SubscriptionKind::pending_transactions)
      return PendingTxNotification{id, pending_body((*params)["result"])};
    if (*kind == SubscriptionKind::heads) {
      auto head = rpc::block_header_from_json((*params)["result"]);
      if (!head) return tl::unexpected(head.error());
      return HeadNotification{id, *head};
    }
    auto log = rpc::log_from_json((*params)["result"]);
    if (!log) return tl::unexpected(log.error());
    return LogNotification{id, std::move(*log)};
  }
  const auto id = doc.find("id");
  if (id == doc.end() || !id->is_number_unsigned())
    return tl::unexpected(
        RpcError::of(RpcErrorKind::malformed, "message is neither a notification nor a response"));
  return Response{id->get<std::uint64_t>(), doc};
}

}  // namespace chain::ws
