#pragma once
// One HTTP endpoint over libcurl: a kept easy handle (connection reuse), per-request deadlines,
// and a cap on the response size. One transport per thread; it is not safe to share.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "chain/rpc/rpc_error.hpp"

namespace chain::rpc {

struct HttpResponse {
  // When the request went out: curl writes a small POST in one send right after its pre-transfer
  // point, so this is when the bytes reached the socket, not when the answer came.
  std::chrono::steady_clock::time_point written_at;
  long status = 0;
  std::string body;
  std::optional<std::int64_t> retry_after_ms;
};

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{10000};
  std::size_t max_response_bytes = 64 * 1024 * 1024;
};

class HttpTransport {
 public:
  HttpTransport(std::string url, HttpOptions options);
  ~HttpTransport();
  HttpTransport(HttpTransport&&) noexcept;
  HttpTransport& operator=(HttpTransport&&) noexcept;

  // POSTs a JSON body. Non-2xx statuses come back as http_status errors (with Retry-After).
  [[nodiscard]] tl::expected<HttpResponse, RpcError> post_json(std::string_view body,
                                                               std::chrono::milliseconds timeout);
  [[nodiscard]] const std::string& url() const noexcept { return url_; }

 private:
  struct Handle;
  std::string url_;
  HttpOptions options_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace chain::rpc
