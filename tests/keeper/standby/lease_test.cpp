// The standby pair's lease and journal mirror against a real redis-server (started per test on a
// free 127.0.0.1 port): who may lead, renew, release and append, and what an unreachable or
// silent store costs (a bounded wait and no send).
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "keeper/process/anvil.hpp"
#include "keeper/standby/journal_mirror.hpp"
#include "keeper/standby/leader_lease.hpp"
#include "keeper/standby/lease_renewer.hpp"
#include "keeper/standby/redis_client.hpp"
#include "keeper/standby/standby.hpp"
#include "keeper/tx/journal.hpp"
#include "tests/support/redis_server.hpp"

using namespace keeper::standby;
using keeper::testing::RedisServer;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

RedisUrl local(std::uint16_t port) {
  return parse_redis_url("redis://127.0.0.1:" + std::to_string(port)).value();
}

#define REQUIRE_REDIS(server) \
  INFO((server).why_not());   \
  REQUIRE((server).ready())

keeper::tx::JournalEntry entry(std::uint64_t nonce, std::uint8_t tag, const std::string& intent) {
  keeper::tx::JournalEntry e;
  e.nonce = nonce;
  e.hash.fill(tag);
  e.raw = {0x02, tag, tag};
  e.intent_key = intent;
  e.sent_at_block = 100 + nonce;
  return e;
}

std::filesystem::path temp_file(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() /
           ("keeper-standby-test-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove(p);
  return p;
}

const keeper::tx::JournalScope kScope{31337, [] {
                                        chain::Hash h{};
                                        h.fill(0xab);
                                        return h;
                                      }()};

}  // namespace

TEST_CASE("redis_url is parsed or refused with the reason", "[standby]") {
  struct Row {
    std::string url;
    bool ok;
    std::string host;
    std::uint16_t port;
    std::uint32_t db;
    bool password;
  };
  const std::vector<Row> rows = {
      {"redis://127.0.0.1:6379", true, "127.0.0.1", 6379, 0, false},
      {"redis://localhost", true, "localhost", 6379, 0, false},
      {"redis://:s3cret@10.0.0.2:6380/2", true, "10.0.0.2", 6380, 2, true},
      {"redis://user:s3cret@h:1/", true, "h", 1, 0, true},
      {"http://127.0.0.1:6379", false, "", 0, 0, false},
      {"redis://", false, "", 0, 0, false},
      {"redis://h:0", false, "", 0, 0, false},
      {"redis://h:65536", false, "", 0, 0, false},
      {"redis://h:12ab", false, "", 0, 0, false},
      {"redis://h:1/x", false, "", 0, 0, false},
      {"redis://@h:1", false, "", 0, 0, false},
  };
  for (const auto& r : rows) {
    INFO(r.url);
    const auto u = parse_redis_url(r.url);
    REQUIRE(u.has_value() == r.ok);
    if (!r.ok) {
      CHECK(u.error().kind == RedisErrorKind::bad_url);
      continue;
    }
    CHECK(u->host == r.host);
    CHECK(u->port == r.port);
    CHECK(u->db == r.db);
    CHECK(u->password.has_value() == r.password);
    CHECK(u->where().find("s3cret") == std::string::npos);  // never in logs
  }
}

TEST_CASE("one instance holds the lease; only it renews or releases it; it expires unrenewed",
          "[standby]") {
  RedisServer server;
  REQUIRE_REDIS(server);
  RedisClient a_redis{local(server.port()), milliseconds{250}};
  RedisClient b_redis{local(server.port()), milliseconds{250}};
  const milliseconds lease{600};
  LeaderLease a{a_redis, "lease", make_lease_token("a"), lease};
  LeaderLease b{b_redis, "lease", make_lease_token("b"), lease};
  REQUIRE(a.token() != b.token());

  CHECK(a.acquire().value() == true);
  CHECK(a.acquire().value() == true);   // again while holding: still ours
  CHECK(b.acquire().value() == false);  // SET NX refused
  CHECK(b.renew().value() == false);    // cannot extend another's lease
  CHECK(b.release().value() == false);  // nor delete it
  CHECK(a.holder().value() == a.token());
  const auto ttl = a_redis.integer({"PTTL", "lease"}).value();
  CHECK(ttl > 0);
  CHECK(ttl <= lease.count());

  SECTION("renewed, it outlives its duration; the other never gets it") {
    const auto until = Clock::now() + lease * 3;
    while (Clock::now() < until) {
      REQUIRE(a.renew().value() == true);
      CHECK(b.acquire().value() == false);
      std::this_thread::sleep_for(lease / 4);
    }
    CHECK(a.holder().value() == a.token());
  }
  SECTION("unrenewed, it expires and the other takes it; the old holder cannot renew it back") {
    std::this_thread::sleep_for(lease + milliseconds{150});
    CHECK(a.holder().value().empty());
    CHECK(b.acquire().value() == true);
    CHECK(a.renew().value() == false);    // a stale leader learns it lost
    CHECK(a.release().value() == false);  // and cannot free the new leader's lease
    CHECK(a.acquire().value() == false);
    CHECK(a.holder().value() == b.token());
  }
  SECTION("released, the other takes it at once") {
    CHECK(a.release().value() == true);
    CHECK(b.acquire().value() == true);
    CHECK(b.holder().value() == b.token());
  }
}

// The daemon's loop can be busy longer than the lease (a head's receipts took 2 s on the devnet
// with lease_ms = 1500, and the leader lost its lease with no one to take over): the lease is
// renewed from a thread, and left to expire only when the loop has been silent for stall_limit.
TEST_CASE("the lease outlives a busy loop, expires under a stalled one, and is lost to another",
          "[standby]") {
  RedisServer server;
  REQUIRE_REDIS(server);
  RedisClient a_redis{local(server.port()), milliseconds{100}};
  RedisClient b_redis{local(server.port()), milliseconds{100}};
  const milliseconds lease{400};
  LeaderLease a{a_redis, "lease", make_lease_token("a"), lease};
  LeaderLease b{b_redis, "lease", make_lease_token("b"), lease};
  REQUIRE(a.acquire().value() == true);
  LeaseRenewerOptions o;
  o.url = local(server.port());
  o.timeout = milliseconds{100};
  o.key = "lease";
  o.token = a.token();
  o.lease = lease;
  o.every = lease / 3;
  o.stall_limit = milliseconds{2000};
  LeaseRenewer renewer{o};

  // Busy: no proof of life for three leases, still well inside the stall limit.
  const auto busy_until = Clock::now() + lease * 3;
  while (Clock::now() < busy_until) {
    REQUIRE(b.acquire().value() == false);
    std::this_thread::sleep_for(lease / 4);
  }
  renewer.loop_alive();
  CHECK(renewer.status().state == LeaseRenewer::State::held);
  CHECK_FALSE(renewer.status().outage.has_value());
  CHECK(a.holder().value() == a.token());

  SECTION("a loop silent past the stall limit lets it expire; the other takes it") {
    const auto limit = Clock::now() + o.stall_limit + lease * 4;
    bool taken = false;
    while (!taken && Clock::now() < limit) {
      taken = b.acquire().value();
      if (!taken) std::this_thread::sleep_for(milliseconds{50});
    }
    REQUIRE(taken);
    CHECK(renewer.status().state == LeaseRenewer::State::stalled);
    CHECK(b.holder().value() == b.token());
  }
  SECTION("taken by another (after it expired), the renewer says lost") {
    REQUIRE(a_redis.integer({"DEL", "lease"}).value() == 1);
    REQUIRE(b.acquire().value() == true);
    const auto limit = Clock::now() + lease * 4;
    while (renewer.status().state == LeaseRenewer::State::held && Clock::now() < limit) {
      renewer.loop_alive();
      std::this_thread::sleep_for(milliseconds{20});
    }
    CHECK(renewer.status().state == LeaseRenewer::State::lost);
    CHECK(b.holder().value() == b.token());  // never renewed or touched by the old holder
  }
}

TEST_CASE(
    "only the lease holder's journal records reach the mirror; a refused record is not written",
    "[standby]") {
  RedisServer server;
  REQUIRE_REDIS(server);
  RedisClient a_redis{local(server.port()), milliseconds{250}};
  RedisClient b_redis{local(server.port()), milliseconds{250}};
  LeaderLease a{a_redis, "lease", make_lease_token("a"), milliseconds{5000}};
  LeaderLease b{b_redis, "lease", make_lease_token("b"), milliseconds{5000}};
  RedisJournalMirror a_mirror{a_redis, a, "journal"};
  RedisJournalMirror b_mirror{b_redis, b, "journal"};
  REQUIRE(a.acquire().value());

  const auto a_path = temp_file("a.log");
  const auto b_path = temp_file("b.log");
  auto a_journal = keeper::tx::Journal::open(a_path, kScope).value();
  auto b_journal = keeper::tx::Journal::open(b_path, kScope).value();
  a_journal.set_mirror(&a_mirror);
  b_journal.set_mirror(&b_mirror);

  REQUIRE(a_journal.record_signed_all({entry(7, 1, "liquidation:x"), entry(8, 2, "liquidation:y")})
              .has_value());
  // The follower's record is refused before it is written: its transaction is never sent.
  const auto refused = b_journal.record_signed(entry(7, 9, "liquidation:other"));
  REQUIRE_FALSE(refused.has_value());
  CHECK_THAT(refused.error(), Catch::Contains("no longer holds the leader lease"));
  CHECK(b_journal.entries().empty());
  CHECK_FALSE(b_journal.attempted("liquidation:other"));
  CHECK(keeper::tx::Journal::open(b_path, kScope).value().entries().empty());

  REQUIRE(a_journal.record_outcome(entry(7, 1, "").hash, keeper::tx::Outcome::mined, 110));
  const auto mirrored = a_mirror.lines().value();
  REQUIRE(mirrored.size() == 3);  // two signed, one outcome
  CHECK(mirrored[0].find("\"nonce\":7") != std::string::npos);
  CHECK(mirrored[2].find("\"outcome\":\"mined\"") != std::string::npos);
  std::filesystem::remove(a_path);
  std::filesystem::remove(b_path);
}

TEST_CASE("a new leader's journal holds every record the old leader mirrored", "[standby]") {
  RedisServer server;
  REQUIRE_REDIS(server);
  const auto wallet =
      chain::Address::from_hex("0x70997970C51812dc3A010C7d01b50e0d17dc79C8").value();
  config::StandbyConfig cfg;
  cfg.redis_url = server.url();
  cfg.lease_ms = 600;
  cfg.name = "a";
  auto a = Standby::create(cfg, kScope, wallet).value();
  cfg.name = "b";
  auto b = Standby::create(cfg, kScope, wallet).value();
  const auto a_path = temp_file("leader.log");
  const auto b_path = temp_file("follower.log");

  REQUIRE(a->try_lead().value());
  REQUIRE_FALSE(b->try_lead().value());
  CHECK(a->adopt_journal(a_path).value() == 0);
  {
    auto j = keeper::tx::Journal::open(a_path, kScope).value();
    j.set_mirror(&a->mirror());
    REQUIRE(j.record_signed_all({entry(3, 1, "liquidation:x"), entry(4, 2, "liquidation:y")}));
    REQUIRE(j.record_outcome(entry(3, 1, "").hash, keeper::tx::Outcome::mined, 104));
    REQUIRE(j.record_signed(entry(5, 3, "liquidation:z")));
  }
  // The follower cannot write while the leader lives: its mirror refuses.
  CHECK_FALSE(b->mirror().mirror("{\"event\":\"early\"}").has_value());
  // The leader dies (no renewal, no release); the follower's beat takes the lease once it expires.
  std::this_thread::sleep_for(milliseconds{750});
  REQUIRE(b->try_lead().value());
  const auto adopted = b->adopt_journal(b_path).value();
  CHECK(adopted == 4);  // the leader's records; the scope line both files share is not repeated
  const auto follower = keeper::tx::Journal::open(b_path, kScope).value();
  const auto leader = keeper::tx::Journal::open(a_path, kScope).value();
  REQUIRE(follower.entries().size() == 3);
  for (const auto& [hash, e] : leader.entries()) {
    const auto it = follower.entries().find(hash);
    REQUIRE(it != follower.entries().end());
    CHECK(it->second.nonce == e.nonce);
    CHECK(it->second.raw == e.raw);
    CHECK(it->second.outcome == e.outcome);
    CHECK(follower.attempted(e.intent_key));
  }
  CHECK(follower.highest_nonce() == 5);
  CHECK(follower.pending().size() == 2);  // nonces 4 and 5: followed and resent by TxManager
  // The old leader, back, can no longer add a record.
  CHECK_FALSE(a->mirror().mirror("{\"event\":\"late\"}").has_value());
  std::filesystem::remove(a_path);
  std::filesystem::remove(b_path);
}

TEST_CASE("merging keeps the store's order and adds only the lines the store lacks", "[standby]") {
  struct Row {
    std::vector<std::string> mirrored, local, lines, local_only;
  };
  const std::vector<Row> rows = {
      {{}, {}, {}, {}},
      {{"s", "a", "b"}, {"s", "a"}, {"s", "a", "b"}, {}},
      {{}, {"s", "a"}, {"s", "a"}, {"s", "a"}},
      {{"s", "a"}, {"s", "x", "a"}, {"s", "a", "x"}, {"x"}},
  };
  for (const auto& r : rows) {
    const auto m = merge_journals(r.mirrored, r.local);
    CHECK(m.lines == r.lines);
    CHECK(m.local_only == r.local_only);
  }
}

TEST_CASE("an unreachable or silent store fails each call within its timeout: nothing is sent",
          "[standby]") {
  // Nothing listens on a port just released.
  const auto closed = keeper::pick_free_port().value();
  // A listener that never accepts: the kernel completes the connection, nobody ever answers.
  const int silent = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(silent >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  REQUIRE(::bind(silent, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(silent, 8) == 0);
  REQUIRE(::getsockname(silent, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const std::uint16_t silent_port = ntohs(addr.sin_port);

  for (const auto port : {closed, silent_port}) {
    INFO("port " << port);
    RedisClient redis{local(port), milliseconds{200}};
    LeaderLease lease{redis, "lease", make_lease_token("a"), milliseconds{3000}};
    RedisJournalMirror mirror{redis, lease, "journal"};
    const auto start = Clock::now();
    const auto held = lease.acquire();
    REQUIRE_FALSE(held.has_value());
    CHECK(held.error().kind == RedisErrorKind::unreachable);
    const auto path = temp_file("unreachable.log");
    auto journal = keeper::tx::Journal::open(path, kScope).value();
    journal.set_mirror(&mirror);
    const auto recorded = journal.record_signed(entry(1, 1, "liquidation:x"));
    REQUIRE_FALSE(recorded.has_value());
    CHECK_THAT(recorded.error(), Catch::Contains("does not send without it"));
    CHECK(journal.entries().empty());
    // Two calls, each bounded by the 200 ms deadline (connect, then the command).
    CHECK(Clock::now() - start < milliseconds{1500});
    std::filesystem::remove(path);
  }
  ::close(silent);
}
