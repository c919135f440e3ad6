// Pending transactions from a real anvil that mines nothing on its own, so every transaction sent
// stays in its mempool: what keeper sees must be exactly what was sent.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "chain/abi/calldata.hpp"
#include "chain/hex.hpp"
#include "chain/ws/ws_client.hpp"
#include "tests/support/chain_fixture.hpp"
#include "tests/support/io_wait.hpp"

using namespace chain;
using abi::Value;
using abi::Values;
using keeper::testing::ChainFixture;
using keeper::testing::run_until;

namespace {

constexpr std::string_view kLiquidationCall =
    "liquidationCall(address,address,address,uint256,bool)";

// anvil's unlocked development accounts 1 and 2, and an Aave-like pool address as the target.
const Address kCompetitor = Address::from_hex("0x70997970c51812dc3a010c7d01b50e0d17dc79c8").value();
const Address kOracleUpdater =
    Address::from_hex("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc").value();
const Address kPool = Address::from_hex("0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2").value();
const Address kFeed = Address::from_hex("0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419").value();

Hash send_unlocked(ChainFixture& f, const nlohmann::json& tx) {
  const auto hash = f.rpc().call("eth_sendTransaction", nlohmann::json::array({tx}));
  REQUIRE(hash.has_value());
  return hex_decode_fixed<32>(hash->get<std::string>()).value();
}

}  // namespace

TEST_CASE("pending transactions from a real anvil arrive with the fields that were sent",
          "[ws][pending][anvil]") {
  keeper::AnvilOptions anvil_options;
  anvil_options.no_mining = true;
  ChainFixture f{anvil_options};

  boost::asio::io_context io;
  ws::WsOptions options;
  options.url = f.anvil().ws_url();
  auto client = ws::WsClient::create(io, options);
  std::vector<rpc::PendingTransaction> seen;
  client->subscribe_pending_transactions(
      [&](const rpc::PendingTransaction& tx) { seen.push_back(tx); });
  client->start();
  // The first message is the node's answer to eth_subscribe: from then on nothing is missed.
  REQUIRE(run_until(
      io, [&] { return client->counters().messages >= 1; }, std::chrono::seconds{5}));

  // A competitor's liquidation, EIP-1559-priced.
  const Values args{Value{Address::from_hex("0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2").value()},
                    Value{Address::from_hex("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48").value()},
                    Value{Address::from_hex("0x90f79bf6eb2c4f870365e785982e1f101e93b906").value()},
                    Value{u256{2'500'000'000ULL}}, Value{true}};
  const Bytes liquidation = abi::encode_call(kLiquidationCall, args).value();
  const Hash liquidation_hash = send_unlocked(f, {{"from", kCompetitor.lower_hex()},
                                                  {"to", kPool.lower_hex()},
                                                  {"nonce", "0x0"},
                                                  {"gas", "0x7a120"},
                                                  {"maxFeePerGas", "0xb2d05e00"},
                                                  {"maxPriorityFeePerGas", "0x3b9aca00"},
                                                  {"value", "0x0"},
                                                  {"data", hex_encode(liquidation)}});
  // An oracle update, legacy-priced, carrying value.
  const Bytes update = abi::encode_call("transmit(uint256)", Values{Value{u256{123}}}).value();
  const Hash update_hash = send_unlocked(f, {{"from", kOracleUpdater.lower_hex()},
                                             {"to", kFeed.lower_hex()},
                                             {"nonce", "0x0"},
                                             {"gas", "0x30d40"},
                                             {"gasPrice", "0x12a05f200"},
                                             {"value", "0x2a"},
                                             {"data", hex_encode(update)}});

  REQUIRE(run_until(
      io, [&] { return seen.size() >= 2; }, std::chrono::seconds{10}));
  REQUIRE(seen.size() == 2);
  const auto find = [&](const Hash& h) -> const rpc::PendingTransaction& {
    for (const auto& tx : seen)
      if (tx.hash == h) return tx;
    FAIL("transaction " << hex_encode(h) << " was not seen");
    return seen.front();
  };

  const auto& liq = find(liquidation_hash);
  CHECK(liq.from == kCompetitor);
  CHECK(liq.to == kPool);
  CHECK(liq.nonce == 0);
  CHECK(liq.gas == 500'000);
  CHECK(liq.value == 0);
  CHECK(liq.type == 2);
  CHECK(liq.max_fee_per_gas == u256{3'000'000'000ULL});
  CHECK(liq.max_priority_fee_per_gas == u256{1'000'000'000ULL});
  CHECK(liq.input == liquidation);
  CHECK(rpc::effective_tip(liq, u256{2'500'000'000ULL}) == u256{500'000'000ULL});
  const auto call = abi::decode_call(liq.input, kLiquidationCall);
  REQUIRE(call.has_value());
  CHECK(call->args == args);

  const auto& upd = find(update_hash);
  CHECK(upd.from == kOracleUpdater);
  CHECK(upd.to == kFeed);
  CHECK(upd.nonce == 0);
  CHECK(upd.gas == 200'000);
  CHECK(upd.value == 42);
  CHECK(upd.type == 0);
  CHECK(upd.gas_price == u256{5'000'000'000ULL});
  CHECK_FALSE(upd.max_fee_per_gas.has_value());
  CHECK(upd.input == update);
  CHECK(rpc::effective_tip(upd, u256{1'000'000'000ULL}) == u256{4'000'000'000ULL});

  // Still pending: nothing was mined behind the test's back.
  CHECK_FALSE(f.rpc().receipt(liquidation_hash).value().has_value());
  CHECK(client->counters().pending_txs == 2);
  CHECK(client->counters().invalid_pending == 0);
  client->stop();
}
