// The transaction manager against a scripted node: no anvil, each case well under a second.
// What it sent is read back from the raw transactions the node took.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "chain/signer.hpp"
#include "keeper/tx/tx_manager.hpp"
#include "tests/support/scripted_mempool.hpp"

namespace {

using chain::u256;
using keeper::testing::ScriptedMempool;
using keeper::tx::Order;
using keeper::tx::SubmitErrorKind;
using keeper::tx::TxManager;
namespace fs = std::filesystem;

constexpr std::uint64_t kChainId = 31337;
constexpr std::uint64_t kFirstNonce = 5;
// anvil's first development key: a published test key that holds nothing anywhere.
constexpr const char* kKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

const chain::Eip1559Tx& body(const chain::SignedTx& tx) {
  return std::get<chain::Eip1559Tx>(tx.tx);
}

struct Bench {
  ScriptedMempool mempool{kChainId, kFirstNonce};
  chain::rpc::RpcClient rpc = mempool.node().client();
  chain::PrivateKey key = chain::PrivateKey::from_hex(kKey).value();
  fs::path journal_path;
  std::optional<TxManager> manager;

  explicit Bench(const std::string& name) {
    journal_path = fs::temp_directory_path() /
                   ("keeper-txunit-" + name + "-" + std::to_string(::getpid()) + ".log");
    fs::remove(journal_path);
  }
  ~Bench() { fs::remove(journal_path); }
  Bench(const Bench&) = delete;
  Bench& operator=(const Bench&) = delete;

  TxManager& start(std::uint64_t chain_id = kChainId) {
    keeper::tx::TxManagerOptions o;
    o.chain_id = chain_id;
    o.max_fee_per_gas_cap = u256{100'000'000'000ULL};
    o.max_priority_fee_cap = u256{5'000'000'000ULL};
    o.max_spend_per_hour_wei = u256{1'000'000'000'000'000'000ULL};
    o.replace_after_blocks = 2;
    o.fee_override = std::pair{u256{20'000'000'000ULL}, u256{1'000'000'000ULL}};
    auto m = TxManager::create(rpc, key, keeper::tx::Journal::open(journal_path).value(), o);
    REQUIRE(m.has_value());
    manager.emplace(std::move(*m));
    return *manager;
  }
};

Order order(const std::string& key, std::uint8_t selector, std::uint64_t tip_gwei) {
  const auto to = chain::Address::from_hex("0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2").value();
  return Order{{key, to, chain::Bytes{selector, 0x01, 0x02, 0x03}, 0},
               300'000,
               u256{30'000'000'000ULL},
               u256{tip_gwei * 1'000'000'000ULL}};
}

}  // namespace

TEST_CASE("orders are signed at consecutive nonces and sent in one request, asking nothing first",
          "[tx][unit]") {
  Bench b{"batch"};
  auto& m = b.start();
  const auto before = b.mempool.node().requests();
  const auto results =
      m.send_now({order("liquidation:a", 0xa1, 1), order("liquidation:b", 0xb2, 2)}, 100);
  REQUIRE(results.size() == 2);
  REQUIRE(results[0].has_value());
  REQUIRE(results[1].has_value());
  // One request on the wire: the batch of both sends. No fee read, no simulation, no estimate.
  CHECK(b.mempool.node().requests() == before + 1);
  CHECK(b.mempool.node().count("eth_call") == 0);
  CHECK(b.mempool.node().count("eth_estimateGas") == 0);
  const auto& taken = b.mempool.taken();
  REQUIRE(taken.size() == 2);
  struct Row {
    std::uint64_t nonce;
    std::uint8_t selector;
    std::uint64_t tip;
  };
  const Row rows[] = {{kFirstNonce, 0xa1, 1'000'000'000ULL},
                      {kFirstNonce + 1, 0xb2, 2'000'000'000ULL}};
  for (std::size_t i = 0; i < 2; ++i) {
    INFO("order " << i);
    const auto& tx = body(taken[i]);
    CHECK(tx.nonce == rows[i].nonce);
    CHECK(tx.chain_id == kChainId);
    CHECK(tx.gas_limit == 300'000);
    CHECK(tx.max_fee_per_gas == u256{30'000'000'000ULL});
    CHECK(tx.max_priority_fee_per_gas == u256{rows[i].tip});
    CHECK(tx.data.front() == rows[i].selector);
    CHECK(chain::recover_sender(taken[i]).value() == b.key.address());
    CHECK(results[i]->hash == taken[i].hash);
  }
  CHECK(m.next_nonce() == kFirstNonce + 2);
  CHECK(m.journal().attempted("liquidation:a"));
  CHECK(m.journal().attempted("liquidation:b"));
}

TEST_CASE("the same intent is never signed twice", "[tx][unit]") {
  Bench b{"duplicate"};
  auto& m = b.start();
  REQUIRE(m.send_now({order("liquidation:a", 0xa1, 1)}, 100).at(0).has_value());
  const auto again = m.send_now({order("liquidation:a", 0xa1, 3)}, 101);
  REQUIRE_FALSE(again.at(0).has_value());
  CHECK(again.at(0).error().kind == SubmitErrorKind::duplicate);
  CHECK(b.mempool.taken().size() == 1);
  // Within one batch too.
  const auto twice =
      m.send_now({order("liquidation:c", 0xc3, 1), order("liquidation:c", 0xc3, 1)}, 102);
  CHECK(twice.at(0).has_value());
  REQUIRE_FALSE(twice.at(1).has_value());
  CHECK(twice.at(1).error().kind == SubmitErrorKind::duplicate);
  CHECK(b.mempool.taken().size() == 2);
}

TEST_CASE("a node refusing the middle send: its nonce is filled so the later one can mine",
          "[tx][unit]") {
  Bench b{"refused"};
  auto& m = b.start();
  b.mempool.refuse_when([](const chain::SignedTx& tx) -> std::optional<std::string> {
    const auto& t = body(tx);
    if (!t.data.empty() && t.data.front() == 0xb2) return "transaction underpriced";
    return std::nullopt;
  });
  const auto results = m.send_now({order("liquidation:a", 0xa1, 1), order("liquidation:b", 0xb2, 1),
                                   order("liquidation:c", 0xc3, 1)},
                                  100);
  REQUIRE(results.size() == 3);
  CHECK(results[0].has_value());
  CHECK(results[2].has_value());
  CHECK(b.mempool.refused() == 1);
  // Taken: a at 5, c at 7, and a 21k self-transfer filling 6.
  std::map<std::uint64_t, chain::Eip1559Tx> by_nonce;
  for (const auto& tx : b.mempool.taken()) by_nonce[body(tx).nonce] = body(tx);
  REQUIRE(by_nonce.count(kFirstNonce + 1) == 1);
  const auto& filler = by_nonce.at(kFirstNonce + 1);
  CHECK(filler.gas_limit == 21'000);
  CHECK(filler.to == b.key.address());
  CHECK(filler.value == 0);
  CHECK(filler.data.empty());
  CHECK(by_nonce.at(kFirstNonce + 2).data.front() == 0xc3);
  // The refused intent is free again: a later attempt may be signed.
  CHECK_FALSE(m.journal().attempted("liquidation:b"));
}

TEST_CASE("a stuck transaction is replaced while its intent holds, cancelled once it does not",
          "[tx][unit]") {
  struct Row {
    const char* name;
    bool still_holds;
    std::uint64_t gas;
    std::uint8_t first_byte;  // of the replacement's data; 0: none (a self-transfer)
  };
  const Row rows[] = {{"replaced", true, 300'000, 0xa1}, {"cancelled", false, 21'000, 0}};
  for (const auto& row : rows) {
    SECTION(row.name) {
      Bench b{row.name};
      auto& m = b.start();
      REQUIRE(m.send_now({order("liquidation:a", 0xa1, 1)}, 100).at(0).has_value());
      b.mempool.calls_revert(!row.still_holds);
      CHECK(m.on_block(101).empty());  // not yet stuck
      CHECK(b.mempool.taken().size() == 1);
      CHECK(m.on_block(102).empty());  // stuck: a new attempt at the same nonce
      REQUIRE(b.mempool.taken().size() == 2);
      const auto& first = body(b.mempool.taken()[0]);
      const auto& second = body(b.mempool.taken()[1]);
      CHECK(second.nonce == first.nonce);
      CHECK(second.gas_limit == row.gas);
      // Nodes take a replacement only at +10% on both fees: keeper bumps by 12.5% (and 1 wei).
      CHECK(second.max_fee_per_gas == first.max_fee_per_gas * 1125 / 1000 + 1);
      CHECK(second.max_priority_fee_per_gas == first.max_priority_fee_per_gas * 1125 / 1000 + 1);
      if (row.first_byte != 0) {
        CHECK(second.data.front() == row.first_byte);
      } else {
        CHECK(second.data.empty());
        CHECK(second.to == b.key.address());
      }
      b.mempool.mine(kFirstNonce, 103);
      const auto settled = m.on_block(103);
      REQUIRE(settled.size() == 1);
      CHECK(settled[0].nonce == kFirstNonce);
      CHECK(settled[0].outcome ==
            (row.still_holds ? keeper::tx::Outcome::mined : keeper::tx::Outcome::cancelled));
      CHECK(m.in_flight() == 0);
      CHECK(m.counters().replaced == 1);
    }
  }
}

TEST_CASE("a node on another chain is refused before anything is signed", "[tx][unit]") {
  Bench b{"chain"};
  keeper::tx::TxManagerOptions o;
  o.chain_id = 1;
  auto m = TxManager::create(b.rpc, b.key, keeper::tx::Journal::open(b.journal_path).value(), o);
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().find("31337") != std::string::npos);
  CHECK(b.mempool.node().count("eth_sendRawTransaction") == 0);
}
