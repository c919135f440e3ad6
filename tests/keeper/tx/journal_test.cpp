#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "keeper/tx/journal.hpp"

using keeper::tx::Journal;
using keeper::tx::JournalEntry;
using keeper::tx::Outcome;
namespace fs = std::filesystem;

namespace {

JournalEntry entry(std::uint64_t nonce, const std::string& key) {
  JournalEntry e;
  e.nonce = nonce;
  e.hash.fill(static_cast<std::uint8_t>(nonce));
  e.raw = {0x02, static_cast<std::uint8_t>(nonce)};
  e.intent_key = key;
  e.sent_at_block = 100;
  return e;
}

}  // namespace

TEST_CASE("a batch is journalled at once; unsent entries free their nonce and intent",
          "[journal]") {
  const auto path = fs::temp_directory_path() / ("keeper-journal-" + std::to_string(::getpid()));
  fs::remove(path);
  {
    auto j = Journal::open(path).value();
    CHECK_FALSE(j.highest_nonce().has_value());
    REQUIRE(j.record_signed_all({entry(7, "a"), entry(8, "b"), entry(9, "c")}).has_value());
    CHECK(j.highest_nonce() == 9);
    CHECK(j.attempted("b"));
    // 8 was refused and 9 never broadcast behind it.
    REQUIRE(j.record_outcome(entry(8, "").hash, Outcome::unsent, 100).has_value());
    REQUIRE(j.record_outcome(entry(9, "").hash, Outcome::unsent, 100).has_value());
    CHECK(j.highest_nonce() == 7);
    CHECK(j.attempted("a"));
    CHECK_FALSE(j.attempted("b"));
    CHECK(j.pending().size() == 1);
  }
  // The same after a restart.
  auto j = Journal::open(path).value();
  CHECK(j.highest_nonce() == 7);
  CHECK(j.attempted("a"));
  CHECK_FALSE(j.attempted("c"));
  REQUIRE(j.pending().size() == 1);
  CHECK(j.pending()[0].nonce == 7);
  CHECK(j.entries().at(entry(9, "").hash).outcome == Outcome::unsent);

  SECTION("a torn last line (crash mid-write) is ignored, a torn middle line is an error") {
    { std::ofstream(path, std::ios::app) << "{\"event\":\"signed\",\"nonce\":1"; }
    auto torn = Journal::open(path);
    REQUIRE(torn.has_value());
    CHECK(torn->highest_nonce() == 7);
    {
      std::ofstream(path, std::ios::app) << "\n"
                                         << R"({"event":"outcome"})"
                                         << "\n";
    }
    CHECK_FALSE(Journal::open(path).has_value());
  }
  fs::remove(path);
}

TEST_CASE("a journal names its chain and refuses to be replayed on another", "[journal]") {
  const auto path =
      fs::temp_directory_path() / ("keeper-journal-scope-" + std::to_string(::getpid()));
  fs::remove(path);
  keeper::tx::JournalScope devnet{31337, {}};
  devnet.genesis.fill(0xaa);
  keeper::tx::JournalScope other_devnet = devnet;  // same chain id, another genesis
  other_devnet.genesis.fill(0xbb);
  {
    auto j = Journal::open(path, devnet).value();
    REQUIRE(j.record_signed_all({entry(3, "x")}, keeper::tx::Durability::deferred).has_value());
    REQUIRE(j.sync().has_value());
  }
  {
    std::ifstream in(path);
    std::string first;
    std::getline(in, first);
    CHECK(first.find("\"event\":\"scope\"") != std::string::npos);
    CHECK(first.find("\"chain_id\":31337") != std::string::npos);
  }
  const auto same = Journal::open(path, devnet);
  REQUIRE(same.has_value());
  CHECK(same->attempted("x"));
  const auto other = Journal::open(path, other_devnet);
  REQUIRE_FALSE(other.has_value());
  CHECK(other.error().find("refusing to replay another chain's transactions") != std::string::npos);
  keeper::tx::JournalScope mainnet = devnet;
  mainnet.chain_id = 1;
  CHECK_FALSE(Journal::open(path, mainnet).has_value());

  // A journal with transactions but no chain named (an older keeper's) is not guessed at.
  const auto unscoped = path.string() + "-unscoped";
  fs::remove(unscoped);
  REQUIRE(Journal::open(unscoped).value().record_signed(entry(1, "y")).has_value());
  const auto adopted = Journal::open(unscoped, devnet);
  REQUIRE_FALSE(adopted.has_value());
  CHECK(adopted.error().find("names no chain") != std::string::npos);
  fs::remove(unscoped);
  fs::remove(path);
}
