#include "chain/rpc/rpc_client.hpp"

#include <algorithm>
#include <thread>

namespace chain::rpc {
namespace {

bool transient(const RpcError& e) {
  switch (e.kind) {
    case RpcErrorKind::transport:
    case RpcErrorKind::timeout:
    case RpcErrorKind::closed: return true;
    case RpcErrorKind::http_status: return e.http_status == 429 || e.http_status >= 500;
    default: return false;
  }
}

}  // namespace

RpcClient::RpcClient(RpcClientOptions options)
    : options_{std::move(options)}, rng_{std::random_device{}()} {
  for (const auto& url : options_.urls)
    endpoints_.push_back(std::make_unique<HttpTransport>(url, options_.http));
}

RpcClient::RpcClient(std::vector<std::unique_ptr<Transport>> transports, RpcClientOptions options)
    : options_{std::move(options)},
      endpoints_{std::move(transports)},
      rng_{std::random_device{}()} {}

const std::string& RpcClient::current_url() const noexcept {
  static const std::string none;
  return endpoints_.empty() ? none : endpoints_[current_]->url();
}

void RpcClient::note_failure() {
  if (++consecutive_failures_ >= options_.failover_after && endpoints_.size() > 1) {
    current_ = (current_ + 1) % endpoints_.size();
    consecutive_failures_ = 0;
  }
}

tl::expected<std::string, RpcError> RpcClient::post(const std::string& body, Retry retry) {
  if (endpoints_.empty())
    return tl::unexpected(RpcError::of(RpcErrorKind::transport, "no endpoint configured"));
  const auto deadline = std::chrono::steady_clock::now() + options_.call_budget;
  RpcError last;
  for (int attempt = 0; attempt < std::max(options_.max_attempts, 1); ++attempt) {
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) break;
    ++requests_sent_;
    auto response =
        endpoints_[current_]->post_json(body, std::min(remaining, options_.http.request_timeout));
    if (response) {
      consecutive_failures_ = 0;
      last_written_at_ = response->written_at;
      return std::move(response->body);
    }
    last = response.error();
    last.message = endpoints_[current_]->url() + ": " + last.message;
    // A transaction is resent only when it certainly never arrived.
    const bool may_retry = retry == Retry::transient ? transient(last) : !last.maybe_delivered;
    note_failure();
    if (!may_retry) break;

    // Full jitter: uniform in [0, min(cap, base·2^attempt)], or the server's Retry-After.
    const auto ceiling = std::min(options_.backoff_cap.count(), options_.backoff_base.count()
                                                                    << std::min(attempt, 16));
    std::uniform_int_distribution<std::int64_t> jitter(0, std::max<std::int64_t>(ceiling, 1));
    std::chrono::milliseconds wait{jitter(rng_)};
    if (last.retry_after_ms)
      wait = std::min(std::chrono::milliseconds{*last.retry_after_ms}, options_.retry_after_cap);
    if (std::chrono::steady_clock::now() + wait >= deadline) break;
    std::this_thread::sleep_for(wait);
  }
  return tl::unexpected(last);
}

tl::expected<Json, RpcError> RpcClient::call(const std::string& method, Json params) {
  const std::uint64_t id = next_id_++;
  const Retry retry = method == "eth_sendRawTransaction" ? Retry::never : Retry::transient;
  auto body = post(request_text(id, Call{method, std::move(params)}), retry);
  if (!body) return tl::unexpected(body.error());
  return parse_response(*body, id);
}

tl::expected<std::vector<tl::expected<Json, RpcError>>, RpcError> RpcClient::batch(
    const std::vector<Call>& calls) {
  if (calls.empty()) return std::vector<tl::expected<Json, RpcError>>{};
  const std::uint64_t first = next_id_;
  next_id_ += calls.size();
  const bool sends = std::any_of(calls.begin(), calls.end(), [](const Call& c) {
    return c.method == "eth_sendRawTransaction";
  });
  auto body = post(batch_text(first, calls), sends ? Retry::never : Retry::transient);
  if (!body) return tl::unexpected(body.error());
  return parse_batch(*body, first, calls.size());
}

}  // namespace chain::rpc
