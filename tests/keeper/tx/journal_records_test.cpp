// Journal records checked against their own signed bytes, against the chain they were written
// for, and against the node's nonce at start (nonce_plan, TxManager::create).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>

#include "chain/hex.hpp"
#include "keeper/tx/journal_check.hpp"
#include "keeper/tx/nonce_plan.hpp"
#include "keeper/tx/tx_manager.hpp"
#include "tests/support/scripted_http_server.hpp"

namespace fs = std::filesystem;
using keeper::tx::Journal;
using keeper::tx::JournalEntry;
using keeper::tx::JournalScope;
using keeper::tx::RecordErrorKind;

namespace {

// anvil's first two accounts: the wallet, and a key that is not keeper's.
const chain::PrivateKey& wallet() {
  static const auto key = chain::PrivateKey::from_hex(
                              "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
                              .value();
  return key;
}
const chain::PrivateKey& stranger() {
  static const auto key = chain::PrivateKey::from_hex(
                              "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
                              .value();
  return key;
}

constexpr std::uint64_t kChain = 31337;

JournalEntry signed_entry(std::uint64_t nonce, const std::string& intent,
                          const chain::PrivateKey& key = wallet(),
                          std::uint64_t chain_id = kChain) {
  const keeper::tx::Intent i{intent, key.address(), {}, 0};
  auto tx = chain::sign_transaction(
                keeper::tx::to_transaction(i, chain_id, nonce, 21'000, chain::u256{2'000'000'000},
                                           chain::u256{1}),
                key)
                .value();
  JournalEntry e;
  e.nonce = nonce;
  e.hash = tx.hash;
  e.raw = tx.raw;
  e.intent_key = intent;
  e.sent_at_block = 10;
  return e;
}

JournalScope devnet() {
  JournalScope s{kChain, {}};
  s.genesis.fill(0xaa);
  return s;
}

fs::path temp_journal(const std::string& name) {
  const auto path =
      fs::temp_directory_path() / ("keeper-" + name + "-" + std::to_string(::getpid()) + ".log");
  fs::remove_all(path);
  return path;
}

std::vector<std::string> lines_of(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

void write_lines(const fs::path& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& l : lines) out << l << '\n';
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a record is checked against its own signed transaction", "[journal]") {
  auto good = signed_entry(7, "liquidation:a");
  REQUIRE(keeper::tx::check_record(good, kChain, wallet().address()).has_value());
  struct Row {
    const char* name;
    JournalEntry record;
    std::uint64_t chain_id;
    RecordErrorKind kind;
  };
  auto edited_nonce = good;
  edited_nonce.nonce = 31;  // the field keeper reserves nonces from, not what was signed
  auto edited_hash = good;
  edited_hash.hash[0] = static_cast<std::uint8_t>(edited_hash.hash[0] ^ 0x01);
  auto garbage = good;
  garbage.raw = {0x02, 0x01};
  const std::vector<Row> rows{
      {"nonce field edited", edited_nonce, kChain, RecordErrorKind::nonce_mismatch},
      {"hash field edited", edited_hash, kChain, RecordErrorKind::hash_mismatch},
      {"raw bytes not a transaction", garbage, kChain, RecordErrorKind::undecodable},
      {"signed for another chain id", signed_entry(7, "x", wallet(), 1), kChain,
       RecordErrorKind::wrong_chain},
      {"signed by another key", signed_entry(7, "x", stranger()), kChain,
       RecordErrorKind::foreign_sender},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto checked = keeper::tx::check_record(row.record, row.chain_id, wallet().address());
    REQUIRE_FALSE(checked.has_value());
    CHECK(checked.error().kind == row.kind);
  }
}

TEST_CASE("every journal record names its chain; a record of another is refused with its line",
          "[journal]") {
  const auto path = temp_journal("journal-records");
  {
    auto j = Journal::open(path, devnet()).value();
    REQUIRE(j.record_signed_all({signed_entry(3, "a"), signed_entry(4, "b")}).has_value());
    REQUIRE(
        j.record_outcome(signed_entry(3, "a").hash, keeper::tx::Outcome::mined, 11).has_value());
  }
  const auto lines = lines_of(path);
  REQUIRE(lines.size() == 4);  // scope, two signed, one outcome
  for (std::size_t i = 1; i < lines.size(); ++i) {
    CHECK(lines[i].find("\"chain_id\":31337") != std::string::npos);
    CHECK(lines[i].find("\"genesis\":\"0xaaaa") != std::string::npos);
  }
  const std::string other_genesis = "\"genesis\":\"0x" + std::string(64, 'b') + "\"";
  const std::string our_genesis = "\"genesis\":\"0x" + std::string(64, 'a') + "\"";
  struct Row {
    const char* name;
    std::size_t line;  // 1-based line edited
    std::string edited;
    std::string message;
  };
  const std::vector<Row> rows{
      {"a record from another devnet (same chain id, other genesis)", 3,
       replace(lines[2], our_genesis, other_genesis), "copied from another chain's journal"},
      {"a record from another chain id", 2,
       replace(lines[1], "\"chain_id\":31337", "\"chain_id\":1"),
       "copied from another chain's journal"},
      {"a record with no chain (pasted from an older journal)", 3,
       replace(replace(lines[2], "," + our_genesis, ""), ",\"chain_id\":31337", ""),
       "names no chain"},
      {"an outcome from another devnet", 4, replace(lines[3], our_genesis, other_genesis),
       "copied from another chain's journal"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    auto edited = lines;
    edited[row.line - 1] = row.edited;
    write_lines(path, edited);
    const auto opened = Journal::open(path, devnet());
    REQUIRE_FALSE(opened.has_value());
    CHECK_THAT(opened.error(), Catch::Contains(path.string() + ":" + std::to_string(row.line)) &&
                                   Catch::Contains(row.message));
  }
  write_lines(path, lines);
  CHECK(Journal::open(path, devnet()).has_value());
  fs::remove(path);
}

TEST_CASE("a torn last record is reported with its line and cut off", "[journal]") {
  const auto path = temp_journal("journal-torn");
  {
    auto j = Journal::open(path, devnet()).value();
    REQUIRE(j.record_signed(signed_entry(3, "a")).has_value());
  }
  { std::ofstream(path, std::ios::app) << R"({"event":"signed","nonce":4,"ha)"; }
  {
    auto j = Journal::open(path, devnet()).value();
    REQUIRE(j.warnings().size() == 1);
    CHECK_THAT(j.warnings()[0],
               Catch::Contains(path.string() + ":3") && Catch::Contains("never broadcast"));
    CHECK(j.entries().size() == 1);
    // The next record starts on a line of its own, so the journal still opens afterwards.
    REQUIRE(j.record_signed(signed_entry(4, "b")).has_value());
  }
  const auto reopened = Journal::open(path, devnet());
  REQUIRE(reopened.has_value());
  CHECK(reopened->warnings().empty());
  CHECK(reopened->entries().size() == 2);
  fs::remove(path);
}

TEST_CASE("a journal that cannot be written is refused when opened", "[journal]") {
  const auto dir = temp_journal("journal-dir");
  fs::create_directories(dir);
  struct Row {
    const char* name;
    fs::path path;
  };
  const std::vector<Row> rows{
      {"the path is a directory", dir},
      {"the parent is a file", dir / "file" / "journal.log"},
  };
  { std::ofstream(dir / "file") << "x"; }
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto opened = Journal::open(row.path, devnet());
    REQUIRE_FALSE(opened.has_value());
    CHECK_THAT(opened.error(),
               Catch::Contains("cannot be written") && Catch::Contains("refusing to start"));
  }
  fs::remove_all(dir);
}

TEST_CASE("nonces at start: the next one and the unoccupied ones below it", "[journal][nonce]") {
  using keeper::tx::plan_nonces;
  struct Row {
    const char* name;
    keeper::tx::NonceCounts chain;
    std::vector<std::uint64_t> rebroadcast;
    std::optional<std::uint64_t> journal_highest;
    std::uint64_t next;
    std::vector<std::uint64_t> gaps;
  };
  const std::vector<Row> rows{
      {"fresh wallet, empty journal", {0, 0}, {}, std::nullopt, 0, {}},
      {"the node is ahead of the journal", {5, 6}, {}, 3, 6, {}},
      {"pending records resent in order", {5, 5}, {5, 6, 7}, 7, 8, {}},
      {"the node's pool covers what the journal resends", {5, 7}, {7}, 7, 8, {}},
      {"a record far above the chain nonce (issue 17)",
       {16, 16},
       {31},
       31,
       32,
       {16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30}},
      {"a record mined on a chain that reorged away", {3, 3}, {}, 4, 5, {3, 4}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto plan = plan_nonces(row.chain, row.rebroadcast, row.journal_highest);
    CHECK(plan.next_nonce == row.next);
    CHECK(plan.gaps == row.gaps);
    CHECK(plan.gap_count == row.gaps.size());
  }
  // A claimed nonce near 2^62 is counted, not listed nonce by nonce.
  const auto huge = plan_nonces({1, 1}, {}, std::uint64_t{1} << 62);
  CHECK(huge.gap_count == (std::uint64_t{1} << 62));
  CHECK(huge.gaps.size() == keeper::tx::kMaxListedGaps);
}

namespace {

using chain::rpc::Json;

std::string quantity(std::uint64_t v) {
  std::ostringstream out;
  out << "0x" << std::hex << v;
  return out.str();
}

// A node on 127.0.0.1 that knows the wallet's nonce counts and accepts (or refuses) every raw
// transaction.
class NonceNode {
 public:
  NonceNode(std::uint64_t latest, std::uint64_t pending, bool refuse_sends = false)
      : latest_{latest},
        pending_{pending},
        refuse_sends_{refuse_sends},
        server_{[this](const std::string& body) {
          return keeper::testing::ScriptedResponse{200, answer(body), "", false};
        }} {}

  [[nodiscard]] std::vector<std::uint64_t> sent_nonces() const {
    const std::lock_guard lock{mutex_};
    return sent_nonces_;
  }

  // A client with no retries: a refused send must not be sent twice.
  [[nodiscard]] chain::rpc::RpcClient client() const {
    auto o = chain::rpc::RpcClientOptions::for_urls({server_.url()});
    o.max_attempts = 1;
    o.http.request_timeout = std::chrono::milliseconds{2000};
    return chain::rpc::RpcClient{o};
  }

 private:
  std::string answer(const std::string& body) {
    const Json request = Json::parse(body);
    Json response{{"jsonrpc", "2.0"}, {"id", request.at("id")}};
    const std::string method = request.at("method");
    const Json& params = request.at("params");
    if (method == "eth_chainId") {
      response["result"] = "0x7a69";
    } else if (method == "eth_blockNumber") {
      response["result"] = "0x64";
    } else if (method == "eth_getTransactionCount") {
      response["result"] = quantity(params.at(1) == "pending" ? pending_ : latest_);
    } else if (method == "eth_sendRawTransaction") {
      const auto raw = chain::hex_decode(params.at(0).get<std::string>()).value();
      const auto tx = chain::decode_signed(raw).value();
      {
        const std::lock_guard lock{mutex_};
        sent_nonces_.push_back(chain::nonce_of(tx.tx));
      }
      if (refuse_sends_)
        response["error"] = {{"code", -32000},
                             {"message", "insufficient funds for gas * price + value"}};
      else
        response["result"] = chain::hex_encode(tx.hash);
    } else {
      response["error"] = {{"code", -32601}, {"message", "method not found: " + method}};
    }
    return response.dump();
  }

  std::uint64_t latest_, pending_;
  bool refuse_sends_;
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> sent_nonces_;
  keeper::testing::ScriptedHttpServer server_;  // last: it calls answer() until destroyed
};

keeper::tx::TxManagerOptions options(std::uint64_t max_gap_fill) {
  keeper::tx::TxManagerOptions o;
  o.chain_id = kChain;
  o.max_fee_per_gas_cap = chain::u256{100'000'000'000ULL};
  o.max_priority_fee_cap = chain::u256{10'000'000'000ULL};
  o.max_spend_per_hour_wei = chain::u256{1'000'000'000'000'000'000ULL};
  o.fee_override = std::pair{chain::u256{2'000'000'000}, chain::u256{1'000'000'000}};
  o.max_nonce_gap_fill = max_gap_fill;
  return o;
}

}  // namespace

TEST_CASE("at start a journal above the chain nonce is filled or refused, never signed past",
          "[journal][nonce]") {
  const auto path = temp_journal("journal-gap");
  {
    auto j = Journal::open(path, devnet()).value();
    REQUIRE(j.record_signed(signed_entry(20, "liquidation:far")).has_value());
  }
  SECTION("refused when the gap is larger than allowed, before anything is sent") {
    NonceNode n{16, 16};
    auto rpc = n.client();
    auto m = keeper::tx::TxManager::create(rpc, wallet(), Journal::open(path, devnet()).value(),
                                           options(3));
    REQUIRE_FALSE(m.has_value());
    CHECK_THAT(m.error(),
               Catch::Contains("16, 17, 18, 19") && Catch::Contains("refusing to start"));
    CHECK(n.sent_nonces().empty());
  }
  SECTION("filled with self-transfers, logged, and the next nonce follows the journal") {
    NonceNode n{16, 16};
    auto rpc = n.client();
    auto m = keeper::tx::TxManager::create(rpc, wallet(), Journal::open(path, devnet()).value(),
                                           options(16));
    REQUIRE(m.has_value());
    CHECK(m->next_nonce() == 21);
    std::vector<std::uint64_t> sent = n.sent_nonces();
    std::sort(sent.begin(), sent.end());
    CHECK(sent == std::vector<std::uint64_t>{16, 17, 18, 19, 20});
    CHECK(m->in_flight_nonces() == std::vector<std::uint64_t>{16, 17, 18, 19, 20});
    REQUIRE(m->start_notes().size() == 4);
    CHECK_THAT(m->start_notes()[0],
               Catch::Contains("nonce 16") && Catch::Contains("0-value self-transfer"));
    // The fillers are journalled like any other transaction.
    CHECK(m->journal().entries().size() == 5);
  }
  SECTION("refused when the node refuses the journal's transaction at the nonce it needs") {
    NonceNode n{20, 20, /*refuse_sends=*/true};
    auto rpc = n.client();
    auto m = keeper::tx::TxManager::create(rpc, wallet(), Journal::open(path, devnet()).value(),
                                           options(0));
    REQUIRE_FALSE(m.has_value());
    CHECK_THAT(m.error(), Catch::Contains("refused") && Catch::Contains("refusing to start"));
  }
  fs::remove(path);
}

TEST_CASE("at start a record whose fields disagree with its transaction refuses, naming the line",
          "[journal]") {
  const auto path = temp_journal("journal-edited");
  {
    auto j = Journal::open(path, devnet()).value();
    REQUIRE(j.record_signed_all({signed_entry(16, "a"), signed_entry(17, "b")}).has_value());
  }
  struct Row {
    const char* name;
    std::function<std::string(const std::string&)> edit;  // of line 3 (the nonce-17 record)
    std::string message;
  };
  const std::vector<Row> rows{
      {"nonce field edited",
       [](const std::string& l) { return replace(l, "\"nonce\":17", "\"nonce\":31"); },
       "signed at nonce 17"},
      {"raw replaced by another key's transaction",
       [](const std::string& l) {
         auto foreign = signed_entry(17, "b", stranger());
         auto out = replace(l, chain::hex_encode(signed_entry(17, "b").raw),
                            chain::hex_encode(foreign.raw));
         return replace(out, chain::hex_encode(signed_entry(17, "b").hash),
                        chain::hex_encode(foreign.hash));
       },
       "not the wallet"},
  };
  const auto lines = lines_of(path);
  REQUIRE(lines.size() == 3);
  for (const auto& row : rows) {
    CAPTURE(row.name);
    auto edited = lines;
    edited[2] = row.edit(lines[2]);
    write_lines(path, edited);
    NonceNode n{16, 16};
    auto rpc = n.client();
    auto journal = Journal::open(path, devnet());
    REQUIRE(journal.has_value());
    auto m = keeper::tx::TxManager::create(rpc, wallet(), std::move(*journal), options(16));
    REQUIRE_FALSE(m.has_value());
    CHECK_THAT(m.error(), Catch::Contains(path.string() + ":3") && Catch::Contains(row.message));
    CHECK(n.sent_nonces().empty());
  }
  fs::remove(path);
}
