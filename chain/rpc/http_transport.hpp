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
#include "chain/rpc/transport.hpp"

namespace chain::rpc {

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{10000};
  std::size_t max_response_bytes = 64 * 1024 * 1024;
};

class HttpTransport final : public Transport {
 public:
  HttpTransport(std::string url, HttpOptions options);
  ~HttpTransport() override;
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // POSTs a JSON body. Non-2xx statuses come back as http_status errors (with Retry-After).
  [[nodiscard]] tl::expected<HttpResponse, RpcError> post_json(
      std::string_view body, std::chrono::milliseconds timeout) override;
  [[nodiscard]] const std::string& url() const noexcept override { return url_; }

 private:
  struct Handle;
  std::string url_;
  HttpOptions options_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace chain::rpc
