// The executor against the test builder and scripted servers, without a chain: signatures,
// per-builder counts, timeouts that never block the loop, re-targeting, staleness.
#include <catch2/catch.hpp>

#include <boost/asio/steady_timer.hpp>

#include "chain/hex.hpp"
#include "keeper/executors/bundle_executor.hpp"
#include "keeper/executors/flashbots_signature.hpp"
#include "keeper/ops/metrics.hpp"
#include "tests/support/io_wait.hpp"
#include "tests/support/scripted_http_server.hpp"
#include "tests/support/test_builder.hpp"

using namespace keeper::executors;
using keeper::testing::run_until;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kSearcherKey =
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";
// No chain behind it: these tests never build a block.
constexpr const char* kNoChain = "http://127.0.0.1:1";

chain::PrivateKey searcher() { return chain::PrivateKey::from_hex(kSearcherKey).value(); }

Bundle two_tx_bundle(std::uint64_t block) {
  Bundle b;
  b.txs = {chain::hex_decode("0x02aa").value(), chain::hex_decode("0x02bb").value()};
  b.block_number = block;
  return b;
}

}  // namespace

TEST_CASE("the test builder refuses a missing, forged or mismatched signature",
          "[executors][bundle]") {
  keeper::testing::TestBuilder builder{kNoChain};
  boost::asio::io_context io;
  auto client = BuilderClient::make(io, chain::rpc::parse_http_url(builder.url()).value(), 2000ms);
  const std::string body = send_bundle_body(two_tx_bundle(10), 1);
  const auto key = searcher();
  const std::string good = flashbots_signature(key, body).value();
  // anvil's first key signs, but the header names the searcher.
  const auto other = chain::PrivateKey::from_hex(
                         "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
                         .value();
  const std::string forged = flashbots_signature(other, body).value();
  const std::string mismatched = key.address().checksummed() + forged.substr(forged.find(':'));
  const std::string other_body_signature =
      flashbots_signature(key, send_bundle_body(two_tx_bundle(11), 1)).value();

  std::vector<BuilderResult> results;
  for (const auto& header : {std::string{}, mismatched, other_body_signature, good})
    client->post(body, header,
                 [&](const BuilderResult& r, std::chrono::nanoseconds) { results.push_back(r); });
  REQUIRE(run_until(
      io, [&] { return results.size() == 4; }, 5000ms));
  for (std::size_t i = 0; i < 3; ++i) {
    INFO(i);
    REQUIRE_FALSE(results[i].has_value());
    CHECK(results[i].error() == BuilderError::http_status);  // 403
  }
  REQUIRE(results[3].has_value());
  CHECK(results[3]->bundle_hash.size() == 66);
  const auto counts = builder.counts();
  CHECK(counts.requests == 4);
  CHECK(counts.refused_signature == 3);
  CHECK(counts.accepted == 1);
  CHECK(builder.held() == 1);
}

TEST_CASE("one bundle reaches every builder; counts and latency are per builder",
          "[executors][bundle]") {
  keeper::testing::TestBuilder first{kNoChain};
  keeper::testing::TestBuilder second{kNoChain};
  // A builder that answers with a JSON-RPC error: counted as an error, not as accepted.
  keeper::testing::ScriptedHttpServer refusing{[](const std::string&) {
    keeper::testing::ScriptedResponse r;
    r.body = R"({"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"no"}})";
    return r;
  }};
  boost::asio::io_context io;
  keeper::ops::Metrics metrics;
  auto executor =
      BundleExecutor::create(
          io, searcher(), {.builder_urls = {first.url(), second.url(), refusing.url()}}, &metrics)
          .value();
  std::size_t answers = 0;
  executor->on_answer = [&](BundleId, std::size_t, std::uint64_t, const BuilderResult&) {
    ++answers;
  };
  const BundleId id = executor->submit(two_tx_bundle(100));
  REQUIRE(run_until(
      io, [&] { return answers == 3; }, 5000ms));
  CHECK(executor->state(id) == BundleState::pending);
  const auto counts = executor->counts();
  REQUIRE(counts.size() == 3);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(counts[i].sent == 1);
    CHECK(counts[i].accepted == 1);
    CHECK(counts[i].errors == 0);
    CHECK(counts[i].last_latency > 0ns);
  }
  CHECK(counts[2].sent == 1);
  CHECK(counts[2].accepted == 0);
  CHECK(counts[2].errors == 1);
  CHECK(first.held() == 1);
  CHECK(second.held() == 1);
  const std::string text = metrics.render(std::chrono::system_clock::now());
  const std::string label = "builder=\"" + counts[0].builder + "\"";
  CHECK(text.find("keeper_bundles_total{" + label + ",outcome=\"accepted\"} 1") !=
        std::string::npos);
  CHECK(text.find("keeper_bundles_total{builder=\"" + counts[2].builder +
                  "\",outcome=\"error\"} 1") != std::string::npos);
  CHECK(text.find("keeper_bundle_request_seconds_count{" + label + "} 1") != std::string::npos);
}

TEST_CASE("a builder that never answers times out without blocking the loop",
          "[executors][bundle]") {
  keeper::testing::ScriptedHttpServer silent{[](const std::string&) {
    keeper::testing::ScriptedResponse r;
    r.hang = true;
    return r;
  }};
  boost::asio::io_context io;
  auto executor = BundleExecutor::create(io, searcher(),
                                         {.builder_urls = {silent.url()}, .request_timeout = 300ms})
                      .value();
  std::optional<BuilderResult> answer;
  executor->on_answer = [&](BundleId, std::size_t, std::uint64_t, const BuilderResult& r) {
    answer = r;
  };
  // A 10 ms ticker on the same loop keeps running while the request waits.
  std::size_t ticks = 0;
  boost::asio::steady_timer ticker{io};
  std::function<void()> tick = [&] {
    ticker.expires_after(10ms);
    ticker.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      ++ticks;
      tick();
    });
  };
  tick();
  const auto started = std::chrono::steady_clock::now();
  executor->submit(two_tx_bundle(5));
  REQUIRE(run_until(
      io, [&] { return answer.has_value(); }, 5000ms));
  const auto waited = std::chrono::steady_clock::now() - started;
  ticker.cancel();
  REQUIRE_FALSE(answer->has_value());
  CHECK(answer->error() == BuilderError::timeout);
  CHECK(waited >= 300ms);
  CHECK(waited < 2000ms);
  CHECK(ticks >= 10);  // ~30 expected in 300 ms; a blocked loop would give 0
  CHECK(executor->counts()[0].errors == 1);
}

TEST_CASE("a pending bundle is re-targeted on each head, then stale, and included ends it",
          "[executors][bundle]") {
  keeper::testing::TestBuilder builder{kNoChain};
  boost::asio::io_context io;
  auto executor =
      BundleExecutor::create(io, searcher(), {.builder_urls = {builder.url()}, .max_blocks = 3})
          .value();
  std::vector<std::uint64_t> targets;
  std::vector<std::pair<BundleId, BundleState>> settled;
  executor->on_answer = [&](BundleId, std::size_t, std::uint64_t target, const BuilderResult& r) {
    if (r) targets.push_back(target);
  };
  executor->on_settled = [&](BundleId id, BundleState s) { settled.emplace_back(id, s); };

  const BundleId stale = executor->submit(two_tx_bundle(10));
  REQUIRE(run_until(
      io, [&] { return targets.size() == 1; }, 5000ms));
  executor->on_head(9);   // its target is still ahead: nothing is sent
  executor->on_head(10);  // missed block 10: offered for 11
  REQUIRE(run_until(
      io, [&] { return targets.size() == 2; }, 5000ms));
  CHECK(executor->target_block(stale) == 11);
  executor->on_head(11);  // offered for 12, its last block
  REQUIRE(run_until(
      io, [&] { return targets.size() == 3; }, 5000ms));
  executor->on_head(12);
  CHECK(targets == std::vector<std::uint64_t>{10, 11, 12});
  CHECK(executor->state(stale) == BundleState::stale);
  CHECK(executor->pending() == 0);

  // Both transactions seen: included, and no more sends.
  Bundle b = two_tx_bundle(20);
  b.txs = {chain::hex_decode("0x02cc").value(), chain::hex_decode("0x02dd").value()};
  const BundleId landed = executor->submit(b);
  REQUIRE(run_until(
      io, [&] { return targets.size() == 4; }, 5000ms));
  executor->included(transaction_hash(b.txs[0]));
  CHECK(executor->state(landed) == BundleState::pending);
  executor->included(transaction_hash(b.txs[1]));
  CHECK(executor->state(landed) == BundleState::included);
  executor->on_head(20);

  // One transaction mined without the other (the oracle update landed publicly): partial.
  Bundle c = two_tx_bundle(30);
  c.txs = {chain::hex_decode("0x02ee").value(), chain::hex_decode("0x02ff").value()};
  const BundleId split = executor->submit(c);
  executor->included(transaction_hash(c.txs[0]));
  executor->on_head(30);
  CHECK(executor->state(split) == BundleState::partial);

  const BundleId withdrawn = executor->submit(two_tx_bundle(40));
  executor->cancel(withdrawn);
  CHECK(executor->state(withdrawn) == BundleState::cancelled);
  executor->on_head(40);
  CHECK(settled ==
        std::vector<std::pair<BundleId, BundleState>>{{stale, BundleState::stale},
                                                      {landed, BundleState::included},
                                                      {split, BundleState::partial},
                                                      {withdrawn, BundleState::cancelled}});
  CHECK(executor->pending() == 0);
}

TEST_CASE("the executor refuses builder lists it cannot use", "[executors][bundle]") {
  boost::asio::io_context io;
  CHECK_FALSE(BundleExecutor::create(io, searcher(), {}).has_value());
  CHECK_FALSE(
      BundleExecutor::create(io, searcher(), {.builder_urls = {"localhost:80"}}).has_value());
  // https is taken (TLS, builder_tls_test.cpp), unless the CA file given does not load.
  CHECK(BundleExecutor::create(io, searcher(), {.builder_urls = {"https://relay.flashbots.net"}})
            .has_value());
  const auto bad_ca = BundleExecutor::create(
      io, searcher(),
      {.builder_urls = {"https://relay.flashbots.net"}, .tls_ca_file = "/nonexistent/ca.pem"});
  REQUIRE_FALSE(bad_ca.has_value());
  CHECK(bad_ca.error().find("/nonexistent/ca.pem") != std::string::npos);
}

TEST_CASE("closing a builder client answers the request in flight and those queued",
          "[executors][bundle]") {
  keeper::testing::ScriptedHttpServer silent{[](const std::string&) {
    keeper::testing::ScriptedResponse r;
    r.hang = true;
    return r;
  }};
  boost::asio::io_context io;
  auto client = BuilderClient::make(io, chain::rpc::parse_http_url(silent.url()).value(), 10'000ms);
  std::vector<BuilderResult> results;
  for (int i = 0; i < 3; ++i)
    client->post("{}", "",
                 [&](const BuilderResult& r, std::chrono::nanoseconds) { results.push_back(r); });
  // The first request is on the wire (the server holds it), the other two wait behind it.
  REQUIRE(run_until(
      io, [&] { return silent.requests() == 1; }, 5000ms));
  client->close();
  REQUIRE(run_until(
      io, [&] { return results.size() == 3; }, 5000ms));
  for (const auto& r : results) {
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == BuilderError::closed);
  }
  // A closed client answers at once and sends nothing.
  client->post("{}", "",
               [&](const BuilderResult& r, std::chrono::nanoseconds) { results.push_back(r); });
  REQUIRE(run_until(
      io, [&] { return results.size() == 4; }, 1000ms));
  CHECK(results[3].error() == BuilderError::closed);
  CHECK(silent.requests() == 1);
}
