#pragma once
// http:// and https:// endpoint URLs, parsed strictly: for clients that open their own sockets
// (Boost.Beast) rather than hand the URL to libcurl.
#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace chain::rpc {

struct HttpUrl {
  bool tls = false;
  std::string host;
  std::uint16_t port = 0;
  std::string target = "/";  // path and query

  // The Host header: the port is named unless it is the scheme's default.
  [[nodiscard]] std::string host_header() const;
};

[[nodiscard]] tl::expected<HttpUrl, std::string> parse_http_url(std::string_view url);

}  // namespace chain::rpc
