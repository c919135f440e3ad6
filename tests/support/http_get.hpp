#pragma once
// Raw HTTP/1.x exchanges with a local server, for tests: a blocking socket with a receive
// timeout, so a server that never answers fails the test rather than hanging it.
#include <cstdint>
#include <string>

namespace keeper::testing {

// Sends `request` as is to 127.0.0.1:port and returns everything read until the server closes
// the connection or 3 s pass; empty when the connection is refused.
std::string http_exchange(std::uint16_t port, const std::string& request);

struct HttpResult {
  int status = 0;  // 0: no parsable reply
  std::string body;
};

HttpResult http_get(std::uint16_t port, const std::string& path);

}  // namespace keeper::testing
