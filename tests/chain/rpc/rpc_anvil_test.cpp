#include <catch2/catch.hpp>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "chain/rpc/log_backfill.hpp"
#include "tests/support/chain_fixture.hpp"

using namespace chain;
using chain::rpc::Log;
using keeper::testing::ChainFixture;

TEST_CASE("typed calls against a real anvil", "[rpc][anvil]") {
  ChainFixture f;
  auto& rpc = f.rpc();
  CHECK(rpc.chain_id().value() == 31337);
  CHECK(rpc.block_number().value() == 0);
  CHECK(rpc.balance(f.key().address(), "latest").value() ==
        u256_from_dec("10000000000000000000000").value());

  // A real signed EIP-1559 transfer: mined, nonce advanced, receipt typed.
  const Address to = *Address::from_hex("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  const auto receipt = f.send(to, {}, u256{12345});
  CHECK(receipt.success);
  CHECK(receipt.gas_used == 21000);
  CHECK(receipt.block_number == 1);
  CHECK(rpc.transaction_count(f.key().address(), "latest").value() == 1);
  CHECK(rpc.block(std::uint64_t{1}).value().hash == receipt.block_hash);

  // eth_call of the identity precompile returns its input; with a state override of code the
  // same address returns what the override says.
  rpc::CallRequest identity{std::nullopt,
                            *Address::from_hex("0x0000000000000000000000000000000000000004"),
                            *hex_decode("0xdeadbeef"), std::nullopt, std::nullopt};
  CHECK(hex_encode(rpc.eth_call(identity, "latest").value()) == "0xdeadbeef");
  rpc::CallRequest probe{std::nullopt, to, {}, std::nullopt, std::nullopt};
  // Code that returns 32 bytes of 0x2a: PUSH1 0x2a PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
  const nlohmann::json overrides{{to.lower_hex(), {{"code", "0x602a60005260206000f3"}}}};
  CHECK(from_be(rpc.eth_call(probe, "latest", overrides).value()).value() == 42);

  CHECK(rpc.estimate_gas(probe).value() == 21000);
  const auto history = rpc.fee_history(1, "latest", {50.0}).value();
  CHECK(history.oldest_block == 1);
  CHECK(history.base_fee_per_gas.size() == 2);
  CHECK(rpc.max_priority_fee_per_gas().has_value());
  CHECK_FALSE(rpc.receipt(Hash{}).value().has_value());

  // Nonce reuse is information, not an error to retry.
  Eip1559Tx stale;
  stale.chain_id = 31337;
  stale.nonce = 0;
  stale.max_fee_per_gas = 10'000'000'000ULL;
  stale.gas_limit = 21000;
  stale.to = to;
  const auto raw = sign_transaction(stale, f.key()).value().raw;
  CHECK(rpc.send_raw_transaction(raw).value().kind == rpc::SendResult::Kind::nonce_too_low);
}

TEST_CASE("a revert comes back with its data", "[rpc][anvil]") {
  ChainFixture f;
  // Code that reverts with Error("45"), as Aave's liquidationCall does for a healthy account.
  const Bytes revert_data = *abi::encode_call("Error(string)", abi::Values{abi::Value{"45"}});
  Bytes code;
  for (std::size_t i = 0; i < revert_data.size(); ++i) {  // MSTORE8 each byte, then REVERT
    code.insert(code.end(), {0x60, revert_data[i], 0x61, static_cast<std::uint8_t>(i >> 8),
                             static_cast<std::uint8_t>(i & 0xff), 0x53});
  }
  code.insert(code.end(), {0x61, static_cast<std::uint8_t>(revert_data.size() >> 8),
                           static_cast<std::uint8_t>(revert_data.size() & 0xff), 0x60, 0x00, 0xfd});
  const Address target = *Address::from_hex("0x00000000000000000000000000000000000000aa");
  rpc::CallRequest call{std::nullopt, target, {}, std::nullopt, std::nullopt};
  const nlohmann::json overrides{{target.lower_hex(), {{"code", hex_encode(code)}}}};
  auto result = f.rpc().eth_call(call, "latest", overrides);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().kind == rpc::RpcErrorKind::rpc_error);
  REQUIRE(result.error().revert_data.has_value());
  CHECK(*result.error().revert_data == revert_data);
}

TEST_CASE("logs, batches and backfill against a real anvil", "[rpc][anvil]") {
  ChainFixture f;
  const Hash topic = keccak256("KeeperTestEvent(bytes)");
  const Address emitter = f.deploy(keeper::testing::log_emitter_initcode(topic));
  for (std::uint8_t i = 0; i < 5; ++i) f.send(emitter, Bytes{i});

  rpc::LogFilter filter;
  filter.addresses = {emitter};
  filter.topics = {{topic}};
  filter.from_block = 0;
  filter.to_block = f.rpc().block_number().value();
  const auto logs = f.rpc().logs(filter).value();
  REQUIRE(logs.size() == 5);
  for (std::uint8_t i = 0; i < 5; ++i) {
    CHECK(logs[i].data == Bytes{i});
    CHECK(logs[i].topics[0] == topic);
    CHECK_FALSE(logs[i].removed);
  }

  const auto batch = f.rpc()
                         .batch({{"eth_chainId", nlohmann::json::array()},
                                 {"eth_blockNumber", nlohmann::json::array()},
                                 {"eth_getBalance", {emitter.lower_hex(), "latest"}}})
                         .value();
  REQUIRE(batch.size() == 3);
  CHECK(batch[0].value() == "0x7a69");
  CHECK(batch[2].value() == "0x0");

  // Chunked backfill in 2-block chunks sees the same logs, in order, exactly once.
  std::vector<Log> seen;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> chunks;
  rpc::LogFilter base;
  base.addresses = {emitter};
  auto progress =
      rpc::backfill_logs(f.rpc(), base, 0, *filter.to_block, {2, 2},
                         [&](std::uint64_t a, std::uint64_t b, std::vector<rpc::Log>&& l) {
                           chunks.emplace_back(a, b);
                           seen.insert(seen.end(), l.begin(), l.end());
                           return true;
                         });
  REQUIRE(progress.has_value());
  CHECK(progress->blocks_done == *filter.to_block + 1);
  CHECK(chunks.front().first == 0);
  CHECK(chunks.back().second == *filter.to_block);
  REQUIRE(seen.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) CHECK(seen[i].data == logs[i].data);
}
