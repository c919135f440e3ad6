// A node that sends only hashes of pending transactions: keeper fetches each body over the same
// socket, skips what is gone or mined, and renews the subscription after a reconnect.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "chain/hex.hpp"
#include "chain/ws/ws_client.hpp"
#include "tests/chain/ws/pending_frames.hpp"
#include "tests/support/io_wait.hpp"
#include "tests/support/scripted_ws_node.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using keeper::testing::pending_body;
using keeper::testing::subscription_frame;
using keeper::testing::tx_hash;
using nlohmann::json;

namespace {

// Connection 1 confirms the subscription, then announces four bare hashes and answers their
// eth_getTransactionByHash: 1 with its body, 2 with null (dropped), 3 with a body of another hash
// (a lying node), 4 with a mined body; then it hangs up. Connection 2 confirms the renewed
// subscription and sends one full body.
class HashOnlyScript {
 public:
  std::vector<json> subscribe_params() {
    const std::lock_guard lock{mutex_};
    return subscribe_params_;
  }

  void operator()(keeper::testing::ScriptedWsNode::Stream& ws, int n,
                  const keeper::testing::ScriptedWsNode& /*node*/) {
    const json subscribe = read(ws);
    {
      const std::lock_guard lock{mutex_};
      subscribe_params_.push_back(subscribe["params"]);
    }
    const std::string sub = "0xsub" + std::to_string(n);
    answer(ws, subscribe, sub);
    if (n == 1) {
      for (unsigned i = 1; i <= 4; ++i) ws.write(asio::buffer(subscription_frame(sub, tx_hash(i))));
      for (int i = 0; i < 4; ++i) {
        const json request = read(ws);
        if (request["method"] != "eth_getTransactionByHash") continue;
        const std::string asked = request["params"][0];
        json result = nullptr;
        if (asked == tx_hash(1)) result = pending_body(tx_hash(1), 1);
        if (asked == tx_hash(3)) result = pending_body(tx_hash(33), 3);
        if (asked == tx_hash(4)) {
          result = pending_body(tx_hash(4), 4);
          result["blockNumber"] = "0x5";
          result["blockHash"] = tx_hash(0x55);
          result["transactionIndex"] = "0x0";
        }
        answer(ws, request, result);
      }
      ws.close(websocket::close_code::going_away);
    } else {
      ws.write(asio::buffer(subscription_frame(sub, pending_body(tx_hash(5), 5))));
      beast::error_code ec;
      beast::flat_buffer buffer;
      ws.read(buffer, ec);  // until the client leaves
    }
  }

 private:
  static json read(keeper::testing::ScriptedWsNode::Stream& ws) {
    beast::flat_buffer buffer;
    ws.read(buffer);
    return json::parse(beast::buffers_to_string(buffer.data()));
  }
  static void answer(keeper::testing::ScriptedWsNode::Stream& ws, const json& request,
                     const json& result) {
    ws.write(
        asio::buffer(json{{"jsonrpc", "2.0"}, {"id", request["id"]}, {"result", result}}.dump()));
  }

  std::mutex mutex_;
  std::vector<json> subscribe_params_;
};

}  // namespace

TEST_CASE("bare hashes are fetched, and dropped, mined or lying answers are not delivered",
          "[ws][pending][faults]") {
  HashOnlyScript script;
  keeper::testing::ScriptedWsNode node{std::ref(script)};
  asio::io_context io;
  chain::ws::WsOptions options;
  options.url = node.url();
  options.reconnect_base = std::chrono::milliseconds{20};
  options.reconnect_cap = std::chrono::milliseconds{50};
  auto client = chain::ws::WsClient::create(io, options);
  std::vector<std::string> hashes;
  std::vector<std::uint64_t> nonces;
  client->subscribe_pending_transactions([&](const chain::rpc::PendingTransaction& tx) {
    hashes.push_back(chain::hex_encode(tx.hash));
    nonces.push_back(tx.nonce);
  });
  client->start();

  REQUIRE(keeper::testing::run_until(
      io, [&] { return hashes.size() >= 2; }, std::chrono::seconds{10}));
  REQUIRE(hashes.size() == 2);
  CHECK(hashes[0] == tx_hash(1));  // fetched after its bare hash
  CHECK(nonces[0] == 1);
  CHECK(hashes[1] == tx_hash(5));  // a full body on the renewed subscription
  CHECK(nonces[1] == 5);
  const auto& c = client->counters();
  CHECK(c.pending_txs == 2);
  CHECK(c.invalid_pending == 1);  // the body that answered for another hash
  CHECK(c.invalid_json == 0);
  CHECK(c.reconnects >= 1);
  const auto params = script.subscribe_params();
  REQUIRE(params.size() >= 2);
  for (const auto& p : params) CHECK(p == json::array({"newPendingTransactions", true}));
  client->stop();
}
