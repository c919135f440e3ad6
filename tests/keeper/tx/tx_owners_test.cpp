// One wallet for several engines (one per market in one daemon): each engine's transactions are
// its own, and TxManager::on_block hands each only the settlements of what it sent, reading the
// chain once per head. A lone engine (owner 0) reads it at every call, as before.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "keeper/tx/tx_manager.hpp"
#include "tests/support/chain_fixture.hpp"

using namespace chain;
namespace fs = std::filesystem;

namespace {

keeper::tx::Intent pay(const std::string& key, std::uint8_t to) {
  Address a{};  // well above the precompiles
  a.bytes[19] = to;
  return {key, a, {}, u256{1}};
}

// anvil mines each transaction on arrival, but may answer the send a moment before the block is
// in: waits (bounded) until the head reaches `block`.
std::uint64_t head_at_least(rpc::RpcClient& rpc, std::uint64_t block) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  auto head = rpc.block_number().value();
  while (head < block && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
    head = rpc.block_number().value();
  }
  return head;
}

std::set<std::string> keys(const std::vector<keeper::tx::Settlement>& settled) {
  std::set<std::string> out;
  for (const auto& s : settled) out.insert(s.intent_key);
  return out;
}

}  // namespace

TEST_CASE("each engine sharing the wallet settles only what it sent", "[tx][markets]") {
  keeper::testing::ChainFixture chain;
  const fs::path journal =
      fs::temp_directory_path() / ("keeper-tx-owners-" + std::to_string(::getpid()) + ".log");
  fs::remove(journal);
  keeper::tx::TxManagerOptions o;
  o.chain_id = 31337;
  o.max_fee_per_gas_cap = u256{100'000'000'000ULL};
  o.max_priority_fee_cap = u256{3'000'000'000ULL};
  o.max_spend_per_hour_wei = u256{1'000'000'000'000'000'000ULL};
  auto m = keeper::tx::TxManager::create(chain.rpc(), chain.key(),
                                         keeper::tx::Journal::open(journal).value(), o)
               .value();

  const auto head0 = chain.rpc().block_number().value();
  m.set_owner(1);
  REQUIRE(m.submit(pay("aave:1", 0xa1), head0).has_value());
  REQUIRE(m.submit(pay("aave:2", 0xa2), head0).has_value());
  m.set_owner(2);
  REQUIRE(m.submit(pay("morpho:1", 0xb1), head0).has_value());
  // anvil mines each on arrival: a block each.
  const auto head = head_at_least(chain.rpc(), head0 + 3);
  REQUIRE(head >= head0 + 3);

  // The second engine asks first: the chain is read once, it gets its own.
  m.set_owner(2);
  const auto second = m.on_block(head);
  CHECK(keys(second) == std::set<std::string>{"morpho:1"});
  for (const auto& s : second) CHECK(s.outcome == keeper::tx::Outcome::mined);
  m.set_owner(1);
  CHECK(keys(m.on_block(head)) == std::set<std::string>{"aave:1", "aave:2"});
  // Nothing is handed out twice, to anyone.
  for (const std::uint32_t owner : {0U, 1U, 2U}) {
    m.set_owner(owner);
    CHECK(m.on_block(head).empty());
  }
  CHECK(m.counters().mined == 3);

  // A lone engine (owner 0) is unchanged: what it sent settles at its next call.
  m.set_owner(0);
  REQUIRE(m.submit(pay("alone", 0xc1), head).has_value());
  const auto later = head_at_least(chain.rpc(), head + 1);
  REQUIRE(later >= head + 1);
  CHECK(keys(m.on_block(later)) == std::set<std::string>{"alone"});
  fs::remove(journal);
}
