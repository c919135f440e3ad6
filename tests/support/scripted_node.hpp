#pragma once
// A JSON-RPC node played by a test's script, in process: RpcClient talks to it through the
// Transport seam, so the transaction manager and the engine are tested without anvil. Each method
// has a handler (the last one set wins); a call with no handler is a JSON-RPC "method not found".
// Every call is recorded in order, batches item by item.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "chain/rpc/json_rpc.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "chain/rpc/transport.hpp"

namespace keeper::testing {

class ScriptedNode {
 public:
  // The JSON-RPC error object of a refused call.
  struct Refusal {
    std::int64_t code = -32000;
    std::string message;
  };
  using Answer = tl::expected<chain::rpc::Json, Refusal>;
  using Handler = std::function<Answer(const chain::rpc::Json& params)>;

  void on(const std::string& method, Handler handler) { handlers_[method] = std::move(handler); }
  // A fixed result for every call of `method`.
  void answer(const std::string& method, chain::rpc::Json result);

  // A client of this node with no retries, no backoff (a scripted node never flakes).
  [[nodiscard]] chain::rpc::RpcClient client();

  [[nodiscard]] const std::vector<chain::rpc::Call>& calls() const noexcept { return calls_; }
  [[nodiscard]] std::size_t count(const std::string& method) const;
  [[nodiscard]] std::vector<chain::rpc::Json> params_of(const std::string& method) const;
  // HTTP requests received (a batch is one).
  [[nodiscard]] std::size_t requests() const noexcept { return requests_; }

  // The body of an answer to one request or batch; public for the transport.
  [[nodiscard]] std::string respond(std::string_view body);

 private:
  chain::rpc::Json respond_one(const chain::rpc::Json& request);

  std::map<std::string, Handler> handlers_;
  std::vector<chain::rpc::Call> calls_;
  std::size_t requests_ = 0;
};

}  // namespace keeper::testing
