#pragma once
// A minimal HTTP/1.1 server for operators' scrapers (/metrics, /healthz), on 127.0.0.1 only and on
// the daemon's own io_context: a scrape reads the daemon's state between two events, never during.
// Untrusted clients get bounded headers, no bodies, a short header deadline and a connection cap;
// when the cap is reached, the client that has waited longest without sending its request gives
// up its slot, so slow or idle connections cannot keep /healthz from answering.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <tl/expected.hpp>

namespace keeper::ops {

struct HttpReply {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Called with the request target (path and query) of every GET.
using HttpHandler = std::function<HttpReply(const std::string& target)>;

class StatusServer {
 public:
  // port 0 picks a free port; port() tells which.
  [[nodiscard]] static tl::expected<std::shared_ptr<StatusServer>, std::string> start(
      boost::asio::io_context& io, std::uint16_t port, HttpHandler handler);
  virtual ~StatusServer() = default;
  [[nodiscard]] virtual std::uint16_t port() const noexcept = 0;
  virtual void stop() = 0;
};

}  // namespace keeper::ops
