#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "keeper/market/snapshot.hpp"

using namespace chain;
namespace aave = protocols::aave_v3;
namespace fs = std::filesystem;
using keeper::SnapshotErrorKind;
using keeper::StateSnapshot;

namespace {

Address addr(std::uint8_t b) {
  Address a{};
  a.bytes[0] = 0xab;
  a.bytes[19] = b;
  return a;
}

StateSnapshot sample() {
  StateSnapshot s;
  s.chain_id = 31337;
  s.provider = addr(1);
  s.block = 1234;
  s.block_hash.fill(0x5a);
  s.accounts = {addr(10), addr(11), addr(12)};
  aave::Market m;
  for (std::uint16_t id = 0; id < 2; ++id) {
    aave::Reserve r;
    r.asset = addr(static_cast<std::uint8_t>(20 + id));
    r.id = id;
    r.config.ltv = 8000;
    r.config.liquidation_threshold = 8250;
    r.config.liquidation_bonus = 10500;
    r.config.decimals = id == 0 ? 18 : 6;
    r.config.active = true;
    r.config_raw = r.config.encode();
    r.config = aave::ReserveConfig::decode(r.config_raw);
    r.liquidity_index = u256_from_dec("1000000123456789012345678901").value();
    r.variable_borrow_index = u256_from_dec("1000000987654321098765432109").value();
    r.liquidity_rate = 123;
    r.variable_borrow_rate = 456;
    r.stable_borrow_rate = 789;
    r.last_update = 1'700'000'000;
    r.a_token = addr(static_cast<std::uint8_t>(30 + id));
    r.variable_debt_token = addr(static_cast<std::uint8_t>(40 + id));
    r.stable_debt_token = addr(static_cast<std::uint8_t>(50 + id));
    r.price = id == 0 ? 150'000'000'000ULL : 100'000'000ULL;
    r.price_source = addr(static_cast<std::uint8_t>(60 + id));
    r.symbol = id == 0 ? "WETH" : "USDC";
    m.reserves.push_back(r);
  }
  m.emodes[1] = aave::EModeCategory{9700, 9750, 10100, Address{}, 0, "stablecoins"};
  s.market = m;
  aave::Account a;
  a.config.data = 0b0110;  // collateral in reserve 0, borrowing reserve 1
  a.emode = 1;
  a.positions = {{0, kU256Max, 0, 0, 0, 0}, {1, 0, u256{777}, u256{5}, u256{6}, 1'700'000'001}};
  s.positions[addr(10)] = a;
  s.positions[addr(11)] = aave::Account{};
  return s;
}

fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() / ("keeper-snapshot-" + std::to_string(::getpid()) + "-" + name);
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("a snapshot round-trips every field", "[snapshot]") {
  const auto path = temp_file("roundtrip.json");
  const auto s = sample();
  REQUIRE(keeper::write_snapshot(s, path).has_value());
  CHECK_FALSE(fs::exists(path.string() + ".tmp"));
  const auto back = keeper::read_snapshot(path);
  REQUIRE(back.has_value());
  CHECK(back->chain_id == s.chain_id);
  CHECK(back->provider == s.provider);
  CHECK(back->block == s.block);
  CHECK(back->block_hash == s.block_hash);
  CHECK(back->accounts == s.accounts);
  REQUIRE(back->market.has_value());
  REQUIRE(back->market->reserves.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& a = back->market->reserves[i];
    const auto& b = s.market->reserves[i];
    CHECK(a.asset == b.asset);
    CHECK(a.config == b.config);
    CHECK(a.config_raw == b.config_raw);
    CHECK(a.liquidity_index == b.liquidity_index);
    CHECK(a.variable_borrow_index == b.variable_borrow_index);
    CHECK(a.liquidity_rate == b.liquidity_rate);
    CHECK(a.variable_borrow_rate == b.variable_borrow_rate);
    CHECK(a.stable_borrow_rate == b.stable_borrow_rate);
    CHECK(a.last_update == b.last_update);
    CHECK(a.a_token == b.a_token);
    CHECK(a.variable_debt_token == b.variable_debt_token);
    CHECK(a.stable_debt_token == b.stable_debt_token);
    CHECK(a.price == b.price);
    CHECK(a.price_source == b.price_source);
    CHECK(a.symbol == b.symbol);
  }
  REQUIRE(back->market->emodes.count(1) == 1);
  CHECK(back->market->emodes.at(1).liquidation_threshold == 9750);
  CHECK(back->market->emodes.at(1).label == "stablecoins");
  REQUIRE(back->positions.size() == 2);
  const auto& acct = back->positions.at(addr(10));
  CHECK(acct.config.data == u256{0b0110});
  CHECK(acct.emode == 1);
  REQUIRE(acct.positions.size() == 2);
  CHECK(acct.positions[0].scaled_a_token == kU256Max);
  CHECK(acct.positions[1].scaled_variable_debt == u256{777});
  CHECK(acct.positions[1].stable_principal == u256{5});
  CHECK(acct.positions[1].stable_rate == u256{6});
  CHECK(acct.positions[1].stable_last_update == 1'700'000'001);

  SECTION("a backfill-progress snapshot has no market") {
    auto progress = s;
    progress.market.reset();
    progress.positions.clear();
    REQUIRE(keeper::write_snapshot(progress, path).has_value());
    const auto p = keeper::read_snapshot(path);
    REQUIRE(p.has_value());
    CHECK_FALSE(p->market.has_value());
    CHECK(p->accounts == s.accounts);
  }
  fs::remove(path);
}

TEST_CASE("a damaged snapshot is refused with the reason, never half-read", "[snapshot]") {
  const auto path = temp_file("damaged.json");
  REQUIRE(keeper::write_snapshot(sample(), path).has_value());
  const std::string good = read_all(path);
  const auto replace_once = [&](const std::string& from, const std::string& to) {
    auto text = good;
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    return text;
  };
  struct Row {
    const char* name;
    std::string text;
    SnapshotErrorKind kind;
    const char* message;
  };
  const std::vector<Row> rows{
      {"truncated", good.substr(0, good.size() / 2), SnapshotErrorKind::corrupt, "truncated"},
      {"empty", "", SnapshotErrorKind::corrupt, "truncated"},
      {"one digit changed", replace_once("\"block\":1234", "\"block\":1235"),
       SnapshotErrorKind::corrupt, "checksum"},
      {"a balance changed", replace_once("\"777\"", "\"778\""), SnapshotErrorKind::corrupt,
       "checksum"},
      {"another format", replace_once("keeper-state-snapshot", "something-else"),
       SnapshotErrorKind::incompatible, "not a keeper state snapshot"},
      {"a newer version", replace_once("\"version\":1", "\"version\":2"),
       SnapshotErrorKind::incompatible, "version"},
      {"not JSON", "\x01\x02\x03", SnapshotErrorKind::corrupt, "truncated"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << row.text;
    const auto r = keeper::read_snapshot(path);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == row.kind);
    CHECK_THAT(r.error().message, Catch::Contains(row.message));
    CHECK_THAT(r.error().message, Catch::Contains(path.string()));
  }
  fs::remove(path);
  const auto missing = keeper::read_snapshot(path);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().kind == SnapshotErrorKind::missing);
}

TEST_CASE("a snapshot whose checksum holds but whose fields are wrong is still refused",
          "[snapshot]") {
  // Rewrite the state by hand, with a valid checksum over the bad content.
  const auto path = temp_file("wrong-fields.json");
  auto s = sample();
  s.positions[addr(10)].positions[1].reserve = 7;  // the market lists reserves 0 and 1 only
  REQUIRE(keeper::write_snapshot(s, path).has_value());
  const auto r = keeper::read_snapshot(path);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == SnapshotErrorKind::corrupt);
  CHECK_THAT(r.error().message, Catch::Contains("reserve 7"));
  fs::remove(path);
}
