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
