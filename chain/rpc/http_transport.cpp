#include "chain/rpc/http_transport.hpp"

#include <curl/curl.h>

#include <charconv>
#include <mutex>

namespace chain::rpc {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
  std::string body;
  std::size_t limit = 0;
  bool overflow = false;
  std::optional<std::int64_t> retry_after_ms;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t n = size * count;
  if (sink->body.size() + n > sink->limit) {
    sink->overflow = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  sink->body.append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t n = size * count;
  std::string_view line{data, n};
  constexpr std::string_view key = "retry-after:";
  if (line.size() > key.size()) {
    bool match = true;
    for (std::size_t i = 0; i < key.size(); ++i) match = match && (line[i] | 0x20) == key[i];
    if (match) {
      line.remove_prefix(key.size());
      while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      std::int64_t seconds = 0;
      const auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), seconds);
      if (ec == std::errc{} && ptr != line.data() && seconds >= 0)
        sink->retry_after_ms = seconds * 1000;
    }
  }
  return n;
}

}  // namespace

struct HttpTransport::Handle {
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
  ~Handle() {
    if (headers != nullptr) curl_slist_free_all(headers);
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

HttpTransport::HttpTransport(std::string url, HttpOptions options)
    : url_{std::move(url)}, options_{options}, handle_{std::make_unique<Handle>()} {
  global_init();
  handle_->curl = curl_easy_init();
  handle_->headers = curl_slist_append(nullptr, "Content-Type: application/json");
}

HttpTransport::~HttpTransport() = default;

tl::expected<HttpResponse, RpcError> HttpTransport::post_json(std::string_view body,
                                                              std::chrono::milliseconds timeout) {
  CURL* curl = handle_->curl;
  if (curl == nullptr)
    return tl::unexpected(RpcError::of(RpcErrorKind::transport, "curl init failed"));
  Sink sink;
  sink.limit = options_.max_response_bytes;
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, handle_->headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");

  const auto started = std::chrono::steady_clock::now();
  const CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    RpcError e;
    if (sink.overflow) {
      e.kind = RpcErrorKind::too_large;
      e.message = "response exceeds " + std::to_string(options_.max_response_bytes) + " bytes";
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
      e.kind = RpcErrorKind::timeout;
      e.message = curl_easy_strerror(rc);
    } else {
      e.kind = RpcErrorKind::transport;
      e.message = curl_easy_strerror(rc);
      e.maybe_delivered = !(rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                            rc == CURLE_COULDNT_RESOLVE_PROXY);
    }
    return tl::unexpected(e);
  }
  HttpResponse response;
  curl_off_t pretransfer_us = 0;
  curl_easy_getinfo(curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
  response.written_at = started + std::chrono::microseconds{pretransfer_us};
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  response.retry_after_ms = sink.retry_after_ms;
  if (response.status < 200 || response.status >= 300) {
    RpcError e;
    e.kind = RpcErrorKind::http_status;
    e.http_status = response.status;
    e.retry_after_ms = sink.retry_after_ms;
    e.message = sink.body.substr(0, 200);
    return tl::unexpected(e);
  }
  response.body = std::move(sink.body);
  return response;
}

}  // namespace chain::rpc
