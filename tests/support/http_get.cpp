#include "tests/support/http_get.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

namespace keeper::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string http_exchange(std::uint16_t port, const std::string& request) {
  asio::io_context io;
  tcp::socket s{io};
  boost::system::error_code ec;
  s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return {};
  timeval tv{3, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  asio::write(s, asio::buffer(request), ec);
  if (ec) return {};
  std::string out;
  char buf[4096];
  for (;;) {
    const auto n = s.read_some(asio::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

HttpResult http_get(std::uint16_t port, const std::string& path) {
  const auto reply = http_exchange(
      port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  HttpResult r;
  if (reply.rfind("HTTP/1.1 ", 0) != 0 || reply.size() < 12) return r;
  r.status = std::stoi(reply.substr(9, 3));
  const auto body_at = reply.find("\r\n\r\n");
  if (body_at != std::string::npos) r.body = reply.substr(body_at + 4);
  return r;
}

}  // namespace keeper::testing
