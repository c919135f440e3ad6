#include "tests/support/scripted_node.hpp"

#include <algorithm>

namespace keeper::testing {
namespace {

using chain::rpc::Json;

class ScriptedTransport final : public chain::rpc::Transport {
 public:
  explicit ScriptedTransport(ScriptedNode& node) : node_{node} {}
  tl::expected<chain::rpc::HttpResponse, chain::rpc::RpcError> post_json(
      std::string_view body, std::chrono::milliseconds /*timeout*/) override {
    chain::rpc::HttpResponse response;
    response.written_at = std::chrono::steady_clock::now();
    response.status = 200;
    response.body = node_.respond(body);
    return response;
  }
  const std::string& url() const noexcept override { return url_; }

 private:
  ScriptedNode& node_;
  std::string url_{"scripted://node"};
};

}  // namespace

void ScriptedNode::answer(const std::string& method, Json result) {
  on(method, [result = std::move(result)](const Json&) -> Answer { return result; });
}

chain::rpc::RpcClient ScriptedNode::client() {
  std::vector<std::unique_ptr<chain::rpc::Transport>> transports;
  transports.push_back(std::make_unique<ScriptedTransport>(*this));
  chain::rpc::RpcClientOptions options;
  options.max_attempts = 1;
  return chain::rpc::RpcClient{std::move(transports), options};
}

std::size_t ScriptedNode::count(const std::string& method) const {
  return static_cast<std::size_t>(std::count_if(
      calls_.begin(), calls_.end(), [&](const chain::rpc::Call& c) { return c.method == method; }));
}

std::vector<Json> ScriptedNode::params_of(const std::string& method) const {
  std::vector<Json> out;
  for (const auto& c : calls_)
    if (c.method == method) out.push_back(c.params);
  return out;
}

std::string ScriptedNode::respond(std::string_view body) {
  ++requests_;
  const Json request = Json::parse(body, nullptr, false);
  if (!request.is_array()) return respond_one(request).dump();
  Json out = Json::array();
  for (const auto& item : request) out.push_back(respond_one(item));
  return out.dump();
}

Json ScriptedNode::respond_one(const Json& request) {
  Json response{{"jsonrpc", "2.0"}, {"id", request.value("id", Json{})}};
  const std::string method = request.value("method", std::string{});
  const Json params = request.value("params", Json::array());
  calls_.push_back({method, params});
  const auto handler = handlers_.find(method);
  if (handler == handlers_.end()) {
    response["error"] = {{"code", -32601}, {"message", "method not found: " + method}};
    return response;
  }
  auto answer = handler->second(params);
  if (answer) {
    response["result"] = std::move(*answer);
  } else {
    response["error"] = {{"code", answer.error().code}, {"message", answer.error().message}};
  }
  return response;
}

}  // namespace keeper::testing
