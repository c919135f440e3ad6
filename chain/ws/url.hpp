#pragma once
// ws:// and wss:// endpoint URLs, parsed strictly.
#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace chain::ws {

struct WsUrl {
  bool tls = false;
  std::string host;
  std::uint16_t port = 0;
  std::string target = "/";  // path and query
};

[[nodiscard]] tl::expected<WsUrl, std::string> parse_ws_url(std::string_view url);

}  // namespace chain::ws
