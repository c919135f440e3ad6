#include "chain/rpc/http_url.hpp"

#include <algorithm>
#include <charconv>

namespace chain::rpc {
namespace {

bool printable_without_spaces(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

std::string HttpUrl::host_header() const {
  const bool default_port = port == (tls ? 443 : 80);
  const bool ipv6 = host.find(':') != std::string::npos;
  std::string out = ipv6 ? "[" + host + "]" : host;
  if (!default_port) out += ":" + std::to_string(port);
  return out;
}

tl::expected<HttpUrl, std::string> parse_http_url(std::string_view url) {
  HttpUrl out;
  if (url.starts_with("https://")) {
    out.tls = true;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    return tl::unexpected(std::string{"URL must start with http:// or https://"});
  }
  if (!printable_without_spaces(url))
    return tl::unexpected(std::string{"URL has spaces or control characters"});
  const auto slash = url.find_first_of("/?#");
  const std::string_view authority = url.substr(0, slash);
  if (slash != std::string_view::npos) {
    if (url[slash] == '#') return tl::unexpected(std::string{"URL must not have a fragment"});
    out.target =
        url[slash] == '/' ? std::string{url.substr(slash)} : "/" + std::string{url.substr(slash)};
    if (out.target.find('#') != std::string::npos)
      return tl::unexpected(std::string{"URL must not have a fragment"});
  }
  if (authority.find('@') != std::string_view::npos)
    return tl::unexpected(std::string{"URL must not carry credentials"});
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8545
    const auto close = authority.find(']');
    if (close == std::string_view::npos)
      return tl::unexpected(std::string{"unclosed IPv6 bracket"});
    out.host = std::string{authority.substr(1, close - 1)};
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':')
        return tl::unexpected(std::string{"bad characters after the IPv6 host"});
      port_text = authority.substr(close + 2);
      has_port = true;
    }
  } else {
    const auto colon = authority.find(':');
    out.host = std::string{authority.substr(0, colon)};
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
  }
  if (out.host.empty()) return tl::unexpected(std::string{"URL has no host"});
  out.port = out.tls ? 443 : 80;
  if (has_port) {
    unsigned value = 0;
    const auto [ptr, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (port_text.empty() || ec != std::errc{} || ptr != port_text.data() + port_text.size() ||
        value == 0 || value > 65535)
      return tl::unexpected("bad port in URL: '" + std::string{port_text} + "'");
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

}  // namespace chain::rpc
