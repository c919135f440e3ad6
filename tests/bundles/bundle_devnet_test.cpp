// Bundles against keeper's devnet through the test builder: a backrun of an oracle update lands
// whole and in order after the executor re-targets it, and a liquidation that would revert is
// dropped at no cost to its sender.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "chain/transaction.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/executors/bundle_executor.hpp"
#include "keeper/executors/flashbots_signature.hpp"
#include "keeper/ops/metrics.hpp"
#include "keeper/process/anvil.hpp"
#include "oracles/chainlink/pending_update.hpp"
#include "tests/support/chain_fixture.hpp"
#include "tests/support/devnet_guard.hpp"
#include "tests/support/io_wait.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/test_builder.hpp"
#include "tests/support/unlocked_send.hpp"

using namespace chain;
using namespace keeper::executors;
using keeper::testing::run_command;
using keeper::testing::run_until;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSearcherKey =
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";
const u256 kGwei{1'000'000'000ULL};

abi::Values view(rpc::RpcClient& rpc, const Address& to, const std::string& signature,
                 const abi::Values& args) {
  const auto fn = abi::parse_function(signature).value();
  const auto out = rpc.eth_call(
      {std::nullopt, to, fn.encode_call(args).value(), std::nullopt, std::nullopt}, "latest");
  REQUIRE(out.has_value());
  return fn.decode_output(*out).value();
}

abi::Values account_data(rpc::RpcClient& rpc, const Address& pool, const Address& who) {
  return view(rpc, pool,
              "getUserAccountData(address)(uint256,uint256,uint256,uint256,uint256,uint256)",
              {abi::Value{who}});
}

u256 health_factor(rpc::RpcClient& rpc, const Address& pool, const Address& who) {
  return account_data(rpc, pool, who)[5].as_uint();
}

u256 debt_base(rpc::RpcClient& rpc, const Address& pool, const Address& who) {
  return account_data(rpc, pool, who)[1].as_uint();
}

// Scaled balances move only when the position does (supply, borrow, liquidation), never with
// time: interest accrues through the index, so they show whether a liquidation happened.
u256 scaled_balance(rpc::RpcClient& rpc, const Address& token, const Address& who) {
  return view(rpc, token, "scaledBalanceOf(address)(uint256)", {abi::Value{who}})[0].as_uint();
}

u256 balance_of(rpc::RpcClient& rpc, const Address& token, const Address& who) {
  return view(rpc, token, "balanceOf(address)(uint256)", {abi::Value{who}})[0].as_uint();
}

SignedTx sign_call(rpc::RpcClient& rpc, const PrivateKey& key, std::uint64_t nonce,
                   const Address& to, const Bytes& data, const u256& tip, std::uint64_t gas) {
  Eip1559Tx tx;
  tx.chain_id = rpc.chain_id().value();
  tx.nonce = nonce;
  const auto head = rpc.block("latest").value();
  tx.max_priority_fee_per_gas = tip;
  tx.max_fee_per_gas = head.base_fee_per_gas.value_or(0) * 3 + tip;
  tx.gas_limit = gas;
  tx.to = to;
  tx.data = data;
  return sign_transaction(tx, key).value();
}

Bundle bundle_of(std::vector<Bytes> txs, std::uint64_t block) {
  Bundle b;
  b.txs = std::move(txs);
  b.block_number = block;
  return b;
}

}  // namespace

TEST_CASE("bundles land whole and in order, or cost nothing", "[bundles][devnet]") {
  const fs::path dir =
      fs::temp_directory_path() / ("keeper-bundles-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const keeper::testing::DevnetGuard guard{dir};
  const auto port = keeper::pick_free_port().value();
  const auto up = run_command(
      keeper::testing::keeper_command("devnet up --block-time 0 --borrowers 40 --seed 1 --port " +
                                      std::to_string(port) + " --dir " + dir.string()));
  INFO(up.output);
  REQUIRE(up.exit_code == 0);
  const auto d = keeper::devnet::read_deployment(dir / "deployment.json").value();
  rpc::RpcClient rpc{rpc::RpcClientOptions::for_urls({d.http_url})};
  const auto* weth = d.asset("WETH");
  REQUIRE(weth != nullptr);
  const auto admin = PrivateKey::from_hex(keeper::testing::kAnvilKey0).value();
  const auto liquidator = PrivateKey::from_hex(keeper::testing::kAnvilKey1).value();
  REQUIRE(admin.address() == d.admin);
  REQUIRE(liquidator.address() == d.liquidator);

  // The oracle update to backrun: WETH down 30%, from the feed's owner.
  const i256 price = view(rpc, weth->aggregator, "latestAnswer()(int256)", {})[0].as_int();
  const i256 crashed = price * 7 / 10;
  const Bytes update_call =
      abi::encode_call("updateAnswer(int256)", abi::Values{abi::Value::from_int(crashed)}).value();
  // What the pending-update decoder reads from it is the price the liquidation will meet.
  const auto pending = oracles::chainlink::decode_update(update_call);
  REQUIRE(pending.has_value());
  CHECK(pending->answer == crashed);

  // A WETH-collateral borrower liquidatable once the update is mined (found on a snapshot, which
  // is then undone) and, of those, the healthiest now: blocks mined while the test runs accrue
  // interest, and a borrower just above 1 could drift under it before the doomed bundle is tried.
  const auto snapshot = rpc.call("evm_snapshot", nlohmann::json::array()).value();
  REQUIRE(keeper::testing::send_unlocked(rpc, d.admin, weth->aggregator, "updateAnswer(int256)",
                                         {abi::Value::from_int(crashed)})
              .value()
              .success);
  std::vector<keeper::devnet::Borrower> falling;
  for (const auto& b : d.borrowers) {
    if (std::find(b.collateral.begin(), b.collateral.end(), "WETH") == b.collateral.end()) continue;
    if (health_factor(rpc, d.pool, b.address) < u256{1'000'000'000'000'000'000ULL})
      falling.push_back(b);
  }
  REQUIRE(rpc.call("evm_revert", nlohmann::json::array({snapshot})).value() == true);
  std::optional<keeper::devnet::Borrower> victim;
  u256 healthy_hf = 0;
  for (const auto& b : falling) {
    const u256 hf = health_factor(rpc, d.pool, b.address);
    if (hf > healthy_hf) {
      victim = b;
      healthy_hf = hf;
    }
  }
  REQUIRE(victim.has_value());
  // 1% above 1: far more than the interest of the few blocks and minutes the test takes.
  REQUIRE(healthy_hf >= u256{1'010'000'000'000'000'000ULL});
  const auto* debt = d.asset(victim->debt);
  REQUIRE(debt != nullptr);
  const u256 debt_scaled = scaled_balance(rpc, debt->variable_debt_token, victim->address);
  const u256 collateral_scaled = scaled_balance(rpc, weth->a_token, victim->address);
  REQUIRE(debt_scaled > 0);

  // The liquidator holds the debt asset and has approved the Pool.
  const u256 plenty = u256{1} << 200;
  REQUIRE(keeper::testing::send_unlocked(rpc, d.liquidator, debt->token, "mint(uint256)",
                                         {abi::Value{plenty}})
              .value()
              .success);
  REQUIRE(keeper::testing::send_unlocked(rpc, d.liquidator, debt->token, "approve(address,uint256)",
                                         {abi::Value{d.pool}, abi::Value{plenty}})
              .value()
              .success);
  const Bytes liquidation_call =
      abi::encode_call(
          "liquidationCall(address,address,address,uint256,bool)",
          abi::Values{abi::Value{weth->token}, abi::Value{debt->token}, abi::Value{victim->address},
                      abi::Value{kU256Max}, abi::Value{false}})
          .value();

  keeper::testing::TestBuilder builder{d.http_url};
  boost::asio::io_context io;
  keeper::ops::Metrics metrics;
  auto executor =
      BundleExecutor::create(io, PrivateKey::from_hex(kSearcherKey).value(),
                             {.builder_urls = {builder.url()}, .max_blocks = 3}, &metrics)
          .value();
  std::size_t accepted = 0;
  executor->on_answer = [&](BundleId, std::size_t, std::uint64_t, const BuilderResult& r) {
    if (r) ++accepted;
  };

  // 1. The liquidation alone, while the account is healthy: it would revert, so the builder
  //    drops the bundle and the liquidator pays nothing.
  const std::uint64_t nonce = rpc.transaction_count(d.liquidator, "latest").value();
  const u256 balance = rpc.balance(d.liquidator, "latest").value();
  const SignedTx doomed =
      sign_call(rpc, liquidator, nonce, d.pool, liquidation_call, 2 * kGwei, 1'500'000);
  const std::uint64_t head = rpc.block_number().value();
  const BundleId alone = executor->submit(bundle_of({doomed.raw}, head + 1));
  REQUIRE(run_until(
      io, [&] { return accepted == 1; }, 10'000ms));
  const auto empty = builder.build_block();
  CHECK(empty.number == head + 1);
  CHECK_FALSE(empty.bundle_included);
  CHECK(empty.dropped == 1);
  CHECK(rpc.block_number().value() == head + 1);
  CHECK(rpc.transaction_count(d.liquidator, "latest").value() == nonce);
  CHECK(rpc.balance(d.liquidator, "latest").value() == balance);
  CHECK_FALSE(rpc.receipt(doomed.hash).value().has_value());
  // The block moved time, so the health factor drifted with interest; the position did not.
  CHECK(scaled_balance(rpc, debt->variable_debt_token, victim->address) == debt_scaled);
  CHECK(scaled_balance(rpc, weth->a_token, victim->address) == collateral_scaled);
  CHECK(health_factor(rpc, d.pool, victim->address) >= u256{1'000'000'000'000'000'000ULL});
  executor->cancel(alone);

  // 2. The backrun: [oracle update, liquidation]. The update pays the higher tip, so a node
  //    ordering by tip keeps the bundle's order too.
  const std::uint64_t admin_nonce = rpc.transaction_count(d.admin, "latest").value();
  const SignedTx update =
      sign_call(rpc, admin, admin_nonce, weth->aggregator, update_call, 3 * kGwei, 300'000);
  const SignedTx liquidation =
      sign_call(rpc, liquidator, nonce, d.pool, liquidation_call, 2 * kGwei, 1'500'000);
  const std::uint64_t start = rpc.block_number().value();
  const u256 debt_before = debt_base(rpc, d.pool, victim->address);
  const u256 weth_before = balance_of(rpc, weth->token, d.liquidator);
  std::optional<BundleState> outcome;
  executor->on_settled = [&](BundleId, BundleState s) { outcome = s; };
  const BundleId backrun = executor->submit(bundle_of({update.raw, liquidation.raw}, start + 1));
  REQUIRE(run_until(
      io, [&] { return accepted == 2; }, 10'000ms));
  // Block start+1 is built without it (another builder won that block): the executor offers
  // the bundle again for start+2, and the builder includes it there.
  REQUIRE(rpc.call("evm_mine", nlohmann::json::array()).has_value());
  executor->on_head(start + 1);
  CHECK(executor->target_block(backrun) == start + 2);
  REQUIRE(run_until(
      io, [&] { return accepted == 3; }, 10'000ms));
  const auto built = builder.build_block();
  CHECK(built.number == start + 2);
  REQUIRE(built.bundle_included);
  REQUIRE(built.included_txs == std::vector<Hash>{update.hash, liquidation.hash});
  for (const auto& h : built.included_txs) executor->included(h);
  executor->on_head(built.number);
  CHECK(executor->state(backrun) == BundleState::included);
  CHECK(outcome == BundleState::included);

  const auto update_receipt = rpc.receipt(update.hash).value();
  const auto liquidation_receipt = rpc.receipt(liquidation.hash).value();
  REQUIRE(update_receipt.has_value());
  REQUIRE(liquidation_receipt.has_value());
  CHECK(update_receipt.value().success);
  CHECK(liquidation_receipt.value().success);
  CHECK(update_receipt->block_number == start + 2);
  CHECK(liquidation_receipt->block_number == start + 2);
  CHECK(view(rpc, weth->aggregator, "latestAnswer()(int256)", {})[0].as_int() == crashed);
  CHECK(rpc.transaction_count(d.liquidator, "latest").value() == nonce + 1);
  // The liquidation met the crashed price: it repaid debt and seized WETH.
  CHECK(debt_base(rpc, d.pool, victim->address) < debt_before);
  CHECK(balance_of(rpc, weth->token, d.liquidator) > weth_before);

  const auto counts = executor->counts();
  REQUIRE(counts.size() == 1);
  CHECK(counts[0].sent == 3);
  CHECK(counts[0].accepted == 3);
  CHECK(counts[0].errors == 0);
  CHECK(builder.counts().refused_signature == 0);
  CHECK(metrics.render(std::chrono::system_clock::now())
            .find("keeper_bundles_total{builder=\"" + counts[0].builder +
                  "\",outcome=\"accepted\"} 3") != std::string::npos);
}
