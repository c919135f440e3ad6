#pragma once
// The hot path of a log subscription: a strict, allocation-light parser for exactly the shape
// {"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x…","result":{log}}}
// (keys in any order). Anything else, or anything unusual (escapes, unknown value types), returns
// nullopt and goes to the general JSON path, which also reports errors.
#include <optional>
#include <string_view>

#include "chain/rpc/types.hpp"

namespace chain::ws {

struct FastLogNotification {
  std::string_view subscription;
  rpc::Log log;
};

[[nodiscard]] std::optional<FastLogNotification> parse_log_notification(std::string_view text);

}  // namespace chain::ws
