// Pending-transaction notifications fed straight into dispatch(), as the socket would feed them:
// what reaches the callback, what is counted, and that the log hot path is not disturbed.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "chain/hex.hpp"
#include "chain/ws/ws_client.hpp"
#include "tests/chain/ws/pending_frames.hpp"

using namespace chain;
using keeper::testing::pending_body;
using keeper::testing::subscription_frame;
using keeper::testing::tx_hash;

namespace {

constexpr std::string_view kLogFrame =
    R"({"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0xlogs","result":{"address":"0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2","topics":["0xb3d084820fb1a9decffb176436bd02558d15fac9b0ddfed8c465bc7359d7dce0"],"data":"0x","blockNumber":"0x10","transactionHash":"0x6c1f9ea1b1f0fd4b0d5b51a0d9d7a6b0e9a0d2c1b3e4f5a6b7c8d9e0f1a2b3c4","transactionIndex":"0x0","blockHash":"0x8a1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8","logIndex":"0x3","removed":false}}})";

// A client that never connects: dispatch() is driven by hand, subscriptions bound by hand.
struct Harness {
  boost::asio::io_context io;
  std::shared_ptr<ws::WsClient> client;
  std::vector<rpc::PendingTransaction> received;
  ws::SubscriptionId pending_id = 0;

  Harness() {
    ws::WsOptions options;
    options.url = "ws://127.0.0.1:1";
    client = ws::WsClient::create(io, options);
    pending_id = client->subscribe_pending_transactions(
        [this](const rpc::PendingTransaction& tx) { received.push_back(tx); });
    client->attach_server_id(pending_id, "0xpending");
  }
};

}  // namespace

TEST_CASE("a full pending body reaches the callback typed", "[ws][pending]") {
  Harness h;
  h.client->dispatch(subscription_frame("0xpending", pending_body(tx_hash(1), 5)));
  REQUIRE(h.received.size() == 1);
  const auto& tx = h.received[0];
  CHECK(hex_encode(tx.hash) == tx_hash(1));
  CHECK(tx.from.lower_hex() == "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  CHECK(tx.to->lower_hex() == "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  CHECK(tx.nonce == 5);
  CHECK(tx.type == 2);
  CHECK(tx.max_fee_per_gas == u256{2'000'000'000ULL});
  CHECK(tx.max_priority_fee_per_gas == u256{1'000'000'000ULL});
  const auto& c = h.client->counters();
  CHECK(c.pending_txs == 1);
  CHECK(c.invalid_pending == 0);
  CHECK(c.invalid_json == 0);
  CHECK(c.messages == 1);
}

TEST_CASE("malformed pending bodies are counted and ignored", "[ws][pending]") {
  Harness h;
  auto no_from = pending_body(tx_hash(2));
  no_from.erase("from");
  auto bad_nonce = pending_body(tx_hash(3));
  bad_nonce["nonce"] = 7;  // a JSON number, not a quantity
  auto huge_gas = pending_body(tx_hash(4));
  huge_gas["gas"] = "0x1" + std::string(20, '0');  // over 64 bits
  auto no_tip = pending_body(tx_hash(5));
  no_tip.erase("maxPriorityFeePerGas");
  const std::vector<nlohmann::json> bad{
      no_from,
      bad_nonce,
      huge_gas,
      no_tip,
      42,                        // wrong type: a number
      nlohmann::json::array(),   // wrong type: an array
      true,                      // wrong type: a bool
      nullptr,                   // wrong type: null
      "0x1234",                  // a hash of the wrong length
      "not hex at all",          // not a hash
      nlohmann::json::object(),  // an empty body
  };
  for (const auto& result : bad) h.client->dispatch(subscription_frame("0xpending", result));
  CHECK(h.received.empty());
  const auto& c = h.client->counters();
  CHECK(c.invalid_pending == bad.size());
  CHECK(c.pending_txs == 0);
  CHECK(c.invalid_json == 0);  // the JSON was fine; the transaction was not

  // The subscription still works after all that.
  h.client->dispatch(subscription_frame("0xpending", pending_body(tx_hash(6))));
  REQUIRE(h.received.size() == 1);
  CHECK(hex_encode(h.received[0].hash) == tx_hash(6));
}

TEST_CASE("a bare hash while disconnected cannot be fetched and is dropped quietly",
          "[ws][pending]") {
  Harness h;
  // The body fetch needs the socket; without one the request fails at once and nothing follows.
  h.client->dispatch(subscription_frame("0xpending", tx_hash(7)));
  h.io.run_for(std::chrono::milliseconds{20});
  CHECK(h.received.empty());
  const auto& c = h.client->counters();
  CHECK(c.pending_txs == 0);
  CHECK(c.invalid_pending == 0);
  CHECK(c.invalid_json == 0);
}

TEST_CASE("pending, log and unknown notifications each go their own way", "[ws][pending]") {
  Harness h;
  std::vector<rpc::Log> logs;
  const auto log_id = h.client->subscribe_logs({}, [&](const rpc::Log& l) { logs.push_back(l); });
  h.client->attach_server_id(log_id, "0xlogs");

  h.client->dispatch(kLogFrame);
  REQUIRE(logs.size() == 1);
  CHECK(logs[0].log_index == 3);
  CHECK(h.received.empty());

  // A transaction body on the log subscription is a bad log, not a pending transaction.
  h.client->dispatch(subscription_frame("0xlogs", pending_body(tx_hash(8))));
  // A transaction for a subscription nobody holds.
  h.client->dispatch(subscription_frame("0xnobody", pending_body(tx_hash(9))));
  CHECK(h.received.empty());
  CHECK(logs.size() == 1);
  const auto& c = h.client->counters();
  CHECK(c.logs == 1);
  CHECK(c.invalid_json == 1);
  CHECK(c.unknown_subscription == 1);
  CHECK(c.pending_txs == 0);
  CHECK(c.invalid_pending == 0);

  h.client->unsubscribe(h.pending_id);
  h.client->dispatch(subscription_frame("0xpending", pending_body(tx_hash(10))));
  CHECK(h.received.empty());
  CHECK(c.unknown_subscription == 2);
}
