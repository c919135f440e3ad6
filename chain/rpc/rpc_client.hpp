#pragma once
// JSON-RPC over HTTP to one or more endpoints: retries with backoff and jitter for transient
// failures, failover between endpoints, batches, and the typed eth_* calls keeper needs.
// Not thread-safe: one client per thread.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "chain/rpc/http_transport.hpp"
#include "chain/rpc/json_rpc.hpp"
#include "chain/rpc/types.hpp"

namespace chain::rpc {

struct RpcClientOptions {
  std::vector<std::string> urls;  // first is primary; the rest are failovers, in order
  HttpOptions http;
  int max_attempts = 4;  // per call, across endpoints
  std::chrono::milliseconds backoff_base{100};
  std::chrono::milliseconds backoff_cap{2000};
  std::chrono::milliseconds retry_after_cap{5000};  // a server may not park us longer
  std::chrono::milliseconds call_budget{30000};     // total time one call may take
  int failover_after = 2;                           // consecutive failures before switching

  [[nodiscard]] static RpcClientOptions for_urls(std::vector<std::string> urls) {
    RpcClientOptions o;
    o.urls = std::move(urls);
    return o;
  }
};

// What became of eth_sendRawTransaction: the node's "no" comes back as information.
struct SendResult {
  enum class Kind { accepted, already_known, nonce_too_low, underpriced, rejected } kind;
  Hash hash{};          // for accepted
  std::string message;  // the node's words otherwise
};

using BlockTag = std::variant<std::uint64_t, std::string>;  // number, or "latest"/"pending"/...

struct CallRequest {
  std::optional<Address> from;
  Address to;
  Bytes data;
  std::optional<u256> value;
  std::optional<std::uint64_t> gas;
};

class RpcClient {
 public:
  // One HTTP transport per configured URL.
  explicit RpcClient(RpcClientOptions options);
  // Over given transports (a scripted node in tests); `options.urls` is ignored.
  RpcClient(std::vector<std::unique_ptr<Transport>> transports, RpcClientOptions options);

  [[nodiscard]] tl::expected<Json, RpcError> call(const std::string& method, Json params);
  [[nodiscard]] tl::expected<std::vector<tl::expected<Json, RpcError>>, RpcError> batch(
      const std::vector<Call>& calls);

  [[nodiscard]] tl::expected<std::uint64_t, RpcError> chain_id();
  [[nodiscard]] tl::expected<std::uint64_t, RpcError> block_number();
  [[nodiscard]] tl::expected<BlockHeader, RpcError> block(const BlockTag& tag);
  // eth_call; a revert is an rpc_error carrying revert_data. `overrides` is the state-override
  // object of eth_call (address -> {balance, nonce, code, stateDiff}).
  [[nodiscard]] tl::expected<Bytes, RpcError> eth_call(const CallRequest& req, const BlockTag& tag,
                                                       const Json& overrides = nullptr);
  [[nodiscard]] tl::expected<std::uint64_t, RpcError> estimate_gas(const CallRequest& req);
  [[nodiscard]] tl::expected<std::uint64_t, RpcError> transaction_count(const Address& account,
                                                                        const BlockTag& tag);
  [[nodiscard]] tl::expected<u256, RpcError> balance(const Address& account, const BlockTag& tag);
  [[nodiscard]] tl::expected<Bytes, RpcError> code(const Address& account, const BlockTag& tag);
  [[nodiscard]] tl::expected<Hash, RpcError> storage_at(const Address& account, const u256& slot,
                                                        const BlockTag& tag);
  [[nodiscard]] tl::expected<SendResult, RpcError> send_raw_transaction(BytesView raw);
  // Several signed transactions in one request: every one is on the wire before any answer is
  // awaited. Never retried (a send may have arrived). Results are in the input's order.
  [[nodiscard]] tl::expected<std::vector<tl::expected<SendResult, RpcError>>, RpcError>
  send_raw_transactions(const std::vector<Bytes>& raws);
  [[nodiscard]] tl::expected<std::optional<Receipt>, RpcError> receipt(const Hash& tx_hash);
  [[nodiscard]] tl::expected<FeeHistory, RpcError> fee_history(
      std::uint64_t blocks, const BlockTag& newest, const std::vector<double>& percentiles);
  [[nodiscard]] tl::expected<u256, RpcError> max_priority_fee_per_gas();
  [[nodiscard]] tl::expected<std::vector<Log>, RpcError> logs(const LogFilter& filter);

  [[nodiscard]] const std::string& current_url() const noexcept;
  [[nodiscard]] std::uint64_t requests_sent() const noexcept { return requests_sent_; }
  // When the last answered request's bytes went out (see HttpResponse::written_at).
  [[nodiscard]] std::chrono::steady_clock::time_point last_written_at() const noexcept {
    return last_written_at_;
  }

 private:
  enum class Retry { transient, never };
  tl::expected<std::string, RpcError> post(const std::string& body, Retry retry);
  void note_failure();

  RpcClientOptions options_;
  std::vector<std::unique_ptr<Transport>> endpoints_;
  std::size_t current_ = 0;
  int consecutive_failures_ = 0;
  std::uint64_t next_id_ = 1;
  std::uint64_t requests_sent_ = 0;
  std::chrono::steady_clock::time_point last_written_at_;
  std::mt19937_64 rng_;
};

// The node's answer to one eth_sendRawTransaction, over any transport: its "no" (already known,
// nonce too low, underpriced, rejected) comes back as information, not as an error.
[[nodiscard]] tl::expected<SendResult, RpcError> send_result(
    const tl::expected<Json, RpcError>& answer);

[[nodiscard]] Json to_json(const BlockTag& tag);
[[nodiscard]] Json to_json(const CallRequest& req);

}  // namespace chain::rpc
