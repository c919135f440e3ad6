#include <catch2/catch.hpp>

#include <atomic>

#include <nlohmann/json.hpp>

#include "chain/rpc/log_backfill.hpp"
#include "tests/support/scripted_http_server.hpp"

using namespace chain::rpc;
using keeper::testing::ScriptedHttpServer;
using keeper::testing::ScriptedResponse;

namespace {

// Answers with the request's own id, so responses are well-formed unless the script says not.
std::string ok_result(const std::string& request, const Json& result) {
  const Json req = Json::parse(request);
  return Json{{"jsonrpc", "2.0"}, {"id", req["id"]}, {"result", result}}.dump();
}

std::string rpc_error(const std::string& request, int code, const std::string& message) {
  const Json req = Json::parse(request);
  return Json{
      {"jsonrpc", "2.0"}, {"id", req["id"]}, {"error", {{"code", code}, {"message", message}}}}
      .dump();
}

RpcClientOptions fast(std::vector<std::string> urls) {
  auto o = RpcClientOptions::for_urls(std::move(urls));
  o.backoff_base = std::chrono::milliseconds{5};
  o.backoff_cap = std::chrono::milliseconds{20};
  o.http.request_timeout = std::chrono::milliseconds{500};
  o.call_budget = std::chrono::milliseconds{3000};
  return o;
}

}  // namespace

TEST_CASE("HTTP 429 with Retry-After, then success", "[rpc][faults]") {
  std::atomic<int> n{0};
  ScriptedHttpServer server([&](const std::string& body) {
    if (n++ == 0) return ScriptedResponse{429, "slow down", "Retry-After: 1\r\n", false};
    return ScriptedResponse{200, ok_result(body, "0x7a69"), "", false};
  });
  RpcClient client{fast({server.url()})};
  const auto start = std::chrono::steady_clock::now();
  CHECK(client.chain_id().value() == 31337);
  CHECK(server.requests() == 2);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds{900});  // honoured
}

TEST_CASE("500s are retried; persistent failure ends with the typed error", "[rpc][faults]") {
  std::atomic<int> n{0};
  ScriptedHttpServer flaky([&](const std::string& body) {
    if (n++ < 2) return ScriptedResponse{500, "oops", "", false};
    return ScriptedResponse{200, ok_result(body, "0x10"), "", false};
  });
  RpcClient client{fast({flaky.url()})};
  CHECK(client.block_number().value() == 16);
  CHECK(flaky.requests() == 3);

  ScriptedHttpServer broken([](const std::string&) {
    return ScriptedResponse{503, "down", "", false};
  });
  RpcClient failing{fast({broken.url()})};
  auto r = failing.block_number();
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == RpcErrorKind::http_status);
  CHECK(r.error().http_status == 503);
  CHECK(broken.requests() == 4);  // max_attempts
}

TEST_CASE("a dead endpoint fails over to the next", "[rpc][faults]") {
  ScriptedHttpServer live([](const std::string& body) {
    return ScriptedResponse{200, ok_result(body, "0x1"), "", false};
  });
  // Nothing listens on port 1 of loopback: connection refused.
  RpcClient client{fast({"http://127.0.0.1:1", live.url()})};
  CHECK(client.chain_id().value() == 1);
  CHECK(client.current_url() == live.url());
}

TEST_CASE("malformed answers give their own error kinds", "[rpc][faults]") {
  struct Row {
    const char* name;
    std::function<ScriptedResponse(const std::string&)> script;
    RpcErrorKind expected;
  };
  const std::vector<Row> rows{
      {"garbage JSON",
       [](const std::string&) {
         return ScriptedResponse{200, "{not json", "", false};
       },
       RpcErrorKind::malformed},
      {"wrong id",
       [](const std::string&) {
         return ScriptedResponse{200, R"({"jsonrpc":"2.0","id":999,"result":"0x1"})", "", false};
       },
       RpcErrorKind::mismatched_id},
      {"both result and error",
       [](const std::string& b) {
         const Json req = Json::parse(b);
         return ScriptedResponse{
             200,
             Json{
                 {"jsonrpc", "2.0"}, {"id", req["id"]}, {"result", "0x1"}, {"error", {{"code", 1}}}}
                 .dump(),
             "", false};
       },
       RpcErrorKind::malformed},
      {"result of the wrong type",
       [](const std::string& b) {
         return ScriptedResponse{200, ok_result(b, 12), "", false};
       },
       RpcErrorKind::malformed},
      {"huge body",
       [](const std::string&) {
         return ScriptedResponse{200, std::string(300'000, ' '), "", false};
       },
       RpcErrorKind::too_large},
      {"JSON-RPC error object",
       [](const std::string& b) {
         return ScriptedResponse{200, rpc_error(b, -32000, "boom"), "", false};
       },
       RpcErrorKind::rpc_error},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    ScriptedHttpServer server(row.script);
    auto options = fast({server.url()});
    options.http.max_response_bytes = 100'000;
    RpcClient client{options};
    auto r = client.chain_id();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == row.expected);
  }
}

TEST_CASE("a socket that accepts and never answers times out within the deadline",
          "[rpc][faults]") {
  ScriptedHttpServer silent([](const std::string&) { return ScriptedResponse{200, "", "", true}; });
  auto options = fast({silent.url()});
  options.max_attempts = 1;
  options.http.request_timeout = std::chrono::milliseconds{300};
  RpcClient client{options};
  const auto start = std::chrono::steady_clock::now();
  auto r = client.chain_id();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == RpcErrorKind::timeout);
  CHECK(elapsed < std::chrono::milliseconds{2000});
}

TEST_CASE("eth_sendRawTransaction refusals are typed and never retried", "[rpc][faults]") {
  struct Row {
    std::string message;
    SendResult::Kind expected;
  };
  const std::vector<Row> rows{
      {"already known", SendResult::Kind::already_known},
      {"nonce too low: next nonce 5, tx nonce 4", SendResult::Kind::nonce_too_low},
      {"replacement transaction underpriced", SendResult::Kind::underpriced},
      {"insufficient funds for gas * price + value", SendResult::Kind::rejected}};
  for (const auto& row : rows) {
    CAPTURE(row.message);
    ScriptedHttpServer server([&](const std::string& b) {
      return ScriptedResponse{200, rpc_error(b, -32000, row.message), "", false};
    });
    RpcClient client{fast({server.url()})};
    auto r = client.send_raw_transaction(chain::Bytes{0x02, 0xc0});
    REQUIRE(r.has_value());
    CHECK(r->kind == row.expected);
    CHECK(server.requests() == 1);
  }
  // A 500 on a send is not retried either: the node may have taken the transaction.
  ScriptedHttpServer failing([](const std::string&) {
    return ScriptedResponse{500, "", "", false};
  });
  RpcClient client{fast({failing.url()})};
  CHECK_FALSE(client.send_raw_transaction(chain::Bytes{0x02}).has_value());
  CHECK(failing.requests() == 1);
}

TEST_CASE("batch answers are matched by id whatever their order", "[rpc][faults]") {
  ScriptedHttpServer server([](const std::string& b) {
    const Json req = Json::parse(b);
    Json out = Json::array();
    // Reversed, and the second item left out.
    out.push_back({{"jsonrpc", "2.0"}, {"id", req[2]["id"]}, {"result", "0x3"}});
    out.push_back({{"jsonrpc", "2.0"}, {"id", req[0]["id"]}, {"result", "0x1"}});
    return ScriptedResponse{200, out.dump(), "", false};
  });
  RpcClient client{fast({server.url()})};
  const auto r =
      client.batch({{"a", Json::array()}, {"b", Json::array()}, {"c", Json::array()}}).value();
  CHECK(r[0].value() == "0x1");
  CHECK(r[1].error().kind == RpcErrorKind::mismatched_id);
  CHECK(r[2].value() == "0x3");
}

TEST_CASE("backfill halves refused ranges and resumes where it stopped",
          "[rpc][faults][backfill]") {
  // A provider that refuses ranges over 8 blocks and serves one synthetic log per block.
  std::atomic<int> refused{0};
  ScriptedHttpServer server([&](const std::string& b) {
    const Json req = Json::parse(b);
    const auto from = std::stoull(req["params"][0]["fromBlock"].get<std::string>(), nullptr, 16);
    const auto to = std::stoull(req["params"][0]["toBlock"].get<std::string>(), nullptr, 16);
    if (to - from + 1 > 8) {
      ++refused;
      return ScriptedResponse{200, rpc_error(b, -32005, "query returned more than 10000 results"),
                              "", false};
    }
    Json logs = Json::array();
    for (auto n = from; n <= to; ++n) {
      std::string h(64, '0');
      h.replace(64 - 4, 4, "beef");
      logs.push_back({{"address", "0x00000000000000000000000000000000000000aa"},
                      {"topics", Json::array()},
                      {"data", "0x"},
                      {"blockNumber", chain::to_hex_quantity(n)},
                      {"blockHash", "0x" + h},
                      {"transactionHash", "0x" + h},
                      {"transactionIndex", "0x0"},
                      {"logIndex", "0x0"},
                      {"removed", n == 40}});
    }
    return ScriptedResponse{200, ok_result(b, logs), "", false};
  });
  RpcClient client{fast({server.url()})};
  std::vector<std::uint64_t> blocks;
  std::uint64_t removed = 0;
  const auto collect = [&](std::uint64_t, std::uint64_t, std::vector<Log>&& logs) {
    for (const auto& l : logs) {
      blocks.push_back(l.block_number);
      removed += l.removed ? 1 : 0;
    }
    return blocks.size() < 30;  // the caller stops after 30 blocks, as a crash would
  };
  auto first = backfill_logs(client, {}, 1, 100, {50, 1000}, collect);
  REQUIRE(first.has_value());
  CHECK(first->chunk_splits >= 2);
  CHECK(refused > 0);
  const std::uint64_t resume = blocks.back() + 1;
  auto second = backfill_logs(client, {}, resume, 100, {50, 1000},
                              [&](std::uint64_t, std::uint64_t, std::vector<Log>&& logs) {
                                for (const auto& l : logs) {
                                  blocks.push_back(l.block_number);
                                  removed += l.removed ? 1 : 0;
                                }
                                return true;
                              });
  REQUIRE(second.has_value());
  REQUIRE(blocks.size() == 100);
  for (std::uint64_t i = 0; i < 100; ++i) CHECK(blocks[i] == i + 1);  // every block once, in order
  CHECK(removed == 1);  // the removed log is surfaced, not dropped
}
