#include "chain/ws/url.hpp"

#include <charconv>

namespace chain::ws {

tl::expected<WsUrl, std::string> parse_ws_url(std::string_view url) {
  WsUrl out;
  if (url.starts_with("wss://")) {
    out.tls = true;
    url.remove_prefix(6);
  } else if (url.starts_with("ws://")) {
    url.remove_prefix(5);
  } else {
    return tl::unexpected(std::string{"WebSocket URL must start with ws:// or wss://"});
  }
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  if (slash != std::string_view::npos) out.target = std::string{url.substr(slash)};
  if (authority.find('@') != std::string_view::npos)
    return tl::unexpected(std::string{"WebSocket URL must not carry credentials in the authority"});
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8545
    const auto close = authority.find(']');
    if (close == std::string_view::npos)
      return tl::unexpected(std::string{"unclosed IPv6 bracket"});
    out.host = std::string{authority.substr(1, close - 1)};
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':')
        return tl::unexpected(std::string{"bad characters after IPv6 host"});
      port_text = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = std::string{authority.substr(0, colon)};
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return tl::unexpected(std::string{"WebSocket URL has no host"});
  out.port = out.tls ? 443 : 80;
  if (!port_text.empty()) {
    unsigned value = 0;
    const auto [ptr, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || value == 0 ||
        value > 65535)
      return tl::unexpected("bad port in WebSocket URL: " + std::string{port_text});
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

}  // namespace chain::ws
