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

TEST_CASE("a stuck transaction that cannot be outbid within the caps is sent again as signed",
          "[tx][unit]") {
  // Its tip at the cap: a replacement would have to pay more. The node may have lost it (a
  // reorg's mempool), and every later nonce would wait behind it.
  Bench b{"resent"};
  auto& m = b.start();
  REQUIRE(m.send_now({order("liquidation:a", 0xa1, 5)}, 100).at(0).has_value());
  CHECK(m.on_block(101).empty());  // not yet stuck
  CHECK(b.mempool.taken().size() == 1);
  CHECK(m.on_block(102).empty());  // stuck: the same bytes again, nothing re-signed
  REQUIRE(b.mempool.taken().size() == 2);
  CHECK(b.mempool.taken()[1].hash == b.mempool.taken()[0].hash);
  CHECK(m.on_block(103).empty());  // once per replace_after_blocks heads, not per head
  CHECK(b.mempool.taken().size() == 2);
  CHECK(m.on_block(104).empty());
  REQUIRE(b.mempool.taken().size() == 3);
  CHECK(b.mempool.taken()[2].hash == b.mempool.taken()[0].hash);
  b.mempool.mine(kFirstNonce, 105);
  const auto settled = m.on_block(105);
  REQUIRE(settled.size() == 1);
  CHECK(settled[0].outcome == keeper::tx::Outcome::mined);
  CHECK(m.counters().resent == 2);
  CHECK(m.counters().replaced == 0);
}

TEST_CASE("a stuck transaction at the caps whose intent no longer holds is cancelled, not resent",
          "[tx][unit]") {
  // Sent again as signed it would revert (a reorg's new chain, where the account was taken): a
  // self-transfer at the caps takes the nonce for 21k gas instead.
  Bench b{"capped-cancel"};
  auto& m = b.start();
  REQUIRE(m.send_now({order("liquidation:a", 0xa1, 5)}, 100).at(0).has_value());
  b.mempool.calls_revert(true);
  CHECK(m.on_block(101).empty());  // not yet stuck
  CHECK(m.on_block(102).empty());  // stuck: a cancel at the same nonce
  REQUIRE(b.mempool.taken().size() == 2);
  const auto& first = body(b.mempool.taken()[0]);
  const auto& cancel = body(b.mempool.taken()[1]);
  CHECK(b.mempool.taken()[1].hash != b.mempool.taken()[0].hash);
  CHECK(cancel.nonce == first.nonce);
  CHECK(cancel.to == b.key.address());
  CHECK(cancel.data.empty());
  CHECK(cancel.gas_limit == 21'000);
  CHECK(cancel.max_priority_fee_per_gas == u256{5'000'000'000ULL});  // the cap, not above
  CHECK(cancel.max_fee_per_gas <= u256{100'000'000'000ULL});
  CHECK(m.counters().resent == 0);
  // Still stuck: the cancel, which cannot revert, is what is sent again.
  CHECK(m.on_block(104).empty());
  REQUIRE(b.mempool.taken().size() == 3);
  CHECK(b.mempool.taken()[2].hash == b.mempool.taken()[1].hash);
  b.mempool.mine(kFirstNonce, 105);
  const auto settled = m.on_block(105);
  REQUIRE(settled.size() == 1);
  CHECK(settled[0].outcome == keeper::tx::Outcome::cancelled);
}

TEST_CASE("an intent may be signed again once its transaction is final, not before", "[tx][unit]") {
  // A liquidation that landed as a no-op leaves the position, and so its intent's key, as it
  // was: once that is reorg_depth (12) deep, the same key is a new opportunity.
  Bench b{"final"};
  auto& m = b.start();
  REQUIRE(m.send_now({order("liquidation:a", 0xa1, 1)}, 100).at(0).has_value());
  b.mempool.mine(kFirstNonce, 101);
  REQUIRE(m.on_block(101).size() == 1);
  CHECK(m.on_block(112).empty());  // 11 deep: a reorg could still bring it back
  const auto early = m.send_now({order("liquidation:a", 0xa1, 1)}, 112).at(0);
  REQUIRE_FALSE(early.has_value());
  CHECK(early.error().kind == SubmitErrorKind::duplicate);
  CHECK(m.on_block(113).empty());  // 12 deep: final
  const auto again = m.send_now({order("liquidation:a", 0xa1, 1)}, 113).at(0);
  REQUIRE(again.has_value());
  CHECK(again->nonce == kFirstNonce + 1);
  // Signed again, it is a duplicate again until that one is final.
  const auto twice = m.send_now({order("liquidation:a", 0xa1, 1)}, 113).at(0);
  REQUIRE_FALSE(twice.has_value());
  CHECK(twice.error().kind == SubmitErrorKind::duplicate);
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

TEST_CASE("a private offer that ends unlanded costs nothing: its nonces are released",
          "[tx][unit][bundle]") {
  struct Row {
    const char* name;
    bool lands;              // a builder includes the first of the two (block 102)
    bool public_send_after;  // a public transaction of ours above them
    std::size_t released;
    std::uint64_t next_nonce;
  };
  const Row rows[] = {
      {"unlanded: both released from the top", false, false, 2, kFirstNonce},
      {"the first landed: only the second released", true, false, 1, kFirstNonce + 1},
      {"below a public send: kept and handled in public", false, true, 0, kFirstNonce + 3},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      Bench b{"private"};
      auto& m = b.start();
      const auto sent =
          m.sign_for_bundle({order("liquidation:a", 0xa1, 1), order("liquidation:b", 0xb2, 1)}, 100,
                            /*last_block=*/102);
      REQUIRE(sent.size() == 2);
      REQUIRE(sent[0].has_value());
      REQUIRE(sent[1].has_value());
      CHECK(b.mempool.taken().empty());  // never public
      if (row.public_send_after) {
        REQUIRE(m.send_now({order("liquidation:c", 0xc3, 1)}, 100).at(0).has_value());
      }
      // Within the offer nothing is replaced in public, however long replace_after_blocks is.
      CHECK(m.on_block(101).empty());
      const std::size_t public_before = b.mempool.taken().size();
      CHECK(public_before == (row.public_send_after ? 1U : 0U));
      if (row.lands) {
        // The builder's copy: the journalled bytes, mined at their nonce.
        const auto& raw = m.journal().entries().at(sent[0]->hash).raw;
        REQUIRE(b.rpc.send_raw_transaction(raw).has_value());
        b.mempool.mine(kFirstNonce, 102);
      }
      const auto settled = m.on_block(102);
      std::size_t released = 0;
      for (const auto& s : settled) {
        if (s.outcome != keeper::tx::Outcome::unsent) continue;
        ++released;
        // Its journal record says so, and the intent may be tried again.
        const auto hash = s.nonce == kFirstNonce ? sent[0]->hash : sent[1]->hash;
        CHECK(m.journal().entries().at(hash).outcome == keeper::tx::Outcome::unsent);
        CHECK_FALSE(m.journal().attempted(s.intent_key));
      }
      CHECK(released == row.released);
      CHECK(m.counters().released == row.released);
      CHECK(m.next_nonce() == row.next_nonce);
      if (row.public_send_after) {
        // The private ones hold the public one back: they became public, stuck ones (replaced at
        // their nonces while their intents hold) so that no gap stays; the public one, as old,
        // is replaced too.
        CHECK(m.in_flight() == 3);
        REQUIRE(b.mempool.taken().size() == public_before + 3);
        CHECK(body(b.mempool.taken()[public_before]).nonce == kFirstNonce);
        CHECK(body(b.mempool.taken()[public_before + 1]).nonce == kFirstNonce + 1);
      } else {
        // Nothing else reached the node: a lost private offer costs no gas.
        CHECK(b.mempool.taken().size() == (row.lands ? 1U : 0U));
        // The next send reuses the first released nonce.
        const auto next = m.send_now({order("liquidation:d", 0xd4, 1)}, 102);
        REQUIRE(next.at(0).has_value());
        CHECK(next.at(0)->nonce == row.next_nonce);
      }
    }
  }
}

TEST_CASE("a restart releases the private offers of the run before, never broadcasting them",
          "[tx][unit][bundle]") {
  Bench b{"private-restart"};
  {
    auto& m = b.start();
    const auto sent =
        m.sign_for_bundle({order("liquidation:a", 0xa1, 1), order("liquidation:b", 0xb2, 1)}, 100,
                          /*last_block=*/102);
    REQUIRE(sent.at(1).has_value());
  }
  auto& again = b.start();  // the same journal, read back by a new process
  CHECK(b.mempool.taken().empty());
  CHECK(again.next_nonce() == kFirstNonce);
  CHECK(again.in_flight() == 0);
  REQUIRE(again.journal().entries().size() == 2);
  for (const auto& [hash, entry] : again.journal().entries()) {
    CHECK(entry.private_until == std::optional<std::uint64_t>{102});
    CHECK(entry.outcome == keeper::tx::Outcome::unsent);
  }
  REQUIRE(again.start_notes().size() == 1);
  CHECK(again.start_notes()[0].rfind("released 2 privately offered", 0) == 0);
}
