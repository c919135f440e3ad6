// Property: any WebSocket text frame is classified or refused with a typed error, never a crash;
// and whenever the hot path's strict log parser accepts a frame, the general JSON path reads the
// same subscription and the same log from it (the fast path may decline, never disagree).
#include "fuzz/fuzz_target.hpp"

#include <cstdlib>
#include <string>
#include <string_view>

#include "chain/ws/fast_log_notification.hpp"
#include "chain/ws/notification.hpp"

namespace {

using chain::ws::SubscriptionKind;

bool same_log(const chain::rpc::Log& a, const chain::rpc::Log& b) {
  return a.address == b.address && a.topics == b.topics && a.data == b.data &&
         a.block_number == b.block_number && a.block_hash == b.block_hash &&
         a.transaction_hash == b.transaction_hash && a.transaction_index == b.transaction_index &&
         a.log_index == b.log_index && a.removed == b.removed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view frame{reinterpret_cast<const char*>(data), size};
  // Every subscription kind, so each decoder behind the classifier sees the frame.
  for (const auto kind :
       {SubscriptionKind::heads, SubscriptionKind::logs, SubscriptionKind::pending_transactions}) {
    (void)chain::ws::parse_message(
        frame, [kind](const std::string&) -> std::optional<SubscriptionKind> { return kind; });
  }
  (void)chain::ws::parse_message(
      frame, [](const std::string&) -> std::optional<SubscriptionKind> { return std::nullopt; });

  const auto fast = chain::ws::parse_log_notification(frame);
  if (!fast) return 0;
  const auto general = chain::ws::parse_message(
      frame,
      [](const std::string&) -> std::optional<SubscriptionKind> { return SubscriptionKind::logs; });
  if (!general) std::abort();
  const auto* log = std::get_if<chain::ws::LogNotification>(&*general);
  if (log == nullptr || log->subscription != fast->subscription || !same_log(log->log, fast->log))
    std::abort();
  return 0;
}
