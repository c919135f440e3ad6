// mev_sendBundle: the request MevShareSender writes, as a relay double that checks the
// signature and the shape receives it; block ranges and endpoints it must refuse; the bid.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "chain/signer.hpp"
#include "keeper/executors/flashbots_signature.hpp"
#include "keeper/ofa/mev_share_bundle.hpp"
#include "keeper/ofa/mev_share_sender.hpp"
#include "tests/support/io_wait.hpp"
#include "tests/support/test_mev_share_relay.hpp"

using namespace std::chrono_literals;
using keeper::testing::run_until;

namespace {

// anvil's well-known account 9 key: test data only, holds nothing anywhere real.
chain::PrivateKey searcher() {
  return chain::PrivateKey::from_hex(
             "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6")
      .value();
}

const chain::Hash kUpdate =
    chain::hex_decode_fixed<32>(
        "0xc7dc06c994400830054ab815732d91275bc1241f9be62b62b687b7882f19b8d4")
        .value();

}  // namespace

TEST_CASE("mev_sendBundle's body has the v0.1 shape", "[ofa][bundle]") {
  keeper::ofa::MevShareBundle bundle;
  bundle.update_hash = kUpdate;
  bundle.backrun = {0x02, 0xf8, 0x01};
  bundle.block = 0x10;
  bundle.max_block = 0x12;
  const auto plain = nlohmann::json::parse(keeper::ofa::mev_send_bundle_body(bundle, 7));
  CHECK(plain.dump() ==
        R"({"id":7,"jsonrpc":"2.0","method":"mev_sendBundle","params":[{"body":[{"hash":)"
        R"("0xc7dc06c994400830054ab815732d91275bc1241f9be62b62b687b7882f19b8d4"},)"
        R"({"canRevert":false,"tx":"0x02f801"}],"inclusion":{"block":"0x10","maxBlock":"0x12"},)"
        R"("version":"v0.1"}]})");
  bundle.refund_percent = 90;
  bundle.builders = {"flashbots", "Titan"};
  const auto full = nlohmann::json::parse(keeper::ofa::mev_send_bundle_body(bundle, 8));
  CHECK(full["params"][0]["validity"].dump() == R"({"refund":[{"bodyIdx":0,"percent":90}]})");
  CHECK(full["params"][0]["privacy"].dump() == R"({"builders":["flashbots","Titan"]})");
}

TEST_CASE("each backrun reaches the relay signed, naming the update and its block range",
          "[ofa][bundle]") {
  keeper::testing::TestMevShareRelay relay;
  keeper::testing::TestMevShareRelay second;
  boost::asio::io_context io;
  keeper::ofa::MevShareSenderOptions options;
  options.endpoint_urls = {relay.url(), second.url()};
  auto sender = keeper::ofa::MevShareSender::create(io, searcher(), options).value();
  std::size_t answers = 0;
  std::size_t accepted = 0;
  sender->on_answer = [&](keeper::ofa::MevShareBundleId, std::size_t,
                          const keeper::executors::BuilderResult& r) {
    ++answers;
    if (r && !r->bundle_hash.empty()) ++accepted;
  };
  const chain::Bytes first_tx{0x02, 0xaa};
  const chain::Bytes second_tx{0x02, 0xbb};
  REQUIRE(sender->send(kUpdate, first_tx, 101, 103));
  REQUIRE(sender->send(kUpdate, second_tx, 101, 103));
  REQUIRE(run_until(
      io, [&] { return answers == 4; }, 5000ms));
  CHECK(accepted == 4);
  for (const auto* r : {&relay, &second}) {
    const auto bundles = r->bundles();
    REQUIRE(bundles.size() == 2);
    CHECK(r->counts().refused_signature == 0);
    for (const auto& b : bundles) {
      CHECK(b.signer == searcher().address());
      CHECK(b.hashes == std::vector<chain::Hash>{kUpdate});
      CHECK_FALSE(b.can_revert);
      CHECK(b.block == 101);
      CHECK(b.max_block == 103);
    }
    CHECK(bundles[0].backrun == first_tx);
    CHECK(bundles[1].backrun == second_tx);
  }
  const auto counts = sender->counts();
  REQUIRE(counts.size() == 2);
  CHECK(counts[0].sent == 2);
  CHECK(counts[0].accepted == 2);
  CHECK(counts[0].errors == 0);
  CHECK(counts[0].last_latency.count() > 0);
}

TEST_CASE("the relay double refuses a wrong signature and a malformed bundle", "[ofa][bundle]") {
  keeper::testing::TestMevShareRelay relay;
  keeper::ofa::MevShareBundle bundle;
  bundle.update_hash = kUpdate;
  bundle.backrun = {0x02, 0xaa};
  bundle.block = 5;
  bundle.max_block = 5;
  const std::string body = keeper::ofa::mev_send_bundle_body(bundle, 1);
  const auto header = keeper::executors::flashbots_signature(searcher(), body).value();
  CHECK(relay.handle(header, body).first == 200);
  CHECK(relay.handle("", body).first == 403);
  CHECK(relay.handle(header, body + " ").first == 403);  // signed another body
  const auto other = keeper::ofa::mev_send_bundle_body(bundle, 2);
  auto no_hash = nlohmann::json::parse(other);
  no_hash["params"][0]["body"].erase(0);
  const std::string unhinted = no_hash.dump();
  CHECK(relay.handle(keeper::executors::flashbots_signature(searcher(), unhinted).value(), unhinted)
            .first == 400);
  CHECK(relay.counts().accepted == 1);
  CHECK(relay.counts().refused_signature == 2);
  CHECK(relay.counts().refused_malformed == 1);
}

TEST_CASE("send refuses bad block ranges, and create refuses bad endpoints", "[ofa][bundle]") {
  boost::asio::io_context io;
  keeper::ofa::MevShareSenderOptions options;
  options.endpoint_urls = {"http://127.0.0.1:9"};
  auto sender = keeper::ofa::MevShareSender::create(io, searcher(), options).value();
  using keeper::ofa::MevShareSendError;
  CHECK(sender->send(kUpdate, {0x02}, 0, 1).error() == MevShareSendError::bad_block_range);
  CHECK(sender->send(kUpdate, {0x02}, 10, 9).error() == MevShareSendError::bad_block_range);
  CHECK(sender->send(kUpdate, {0x02}, 10, 35).error() == MevShareSendError::bad_block_range);
  CHECK(sender->send(kUpdate, {}, 10, 11).error() == MevShareSendError::empty_backrun);
  // An endpoint nobody listens on: counted as an error, answered within the deadline.
  std::size_t errors = 0;
  sender->on_answer = [&](auto, auto, const keeper::executors::BuilderResult& r) {
    if (!r) ++errors;
  };
  REQUIRE(sender->send(kUpdate, {0x02}, 10, 11));
  REQUIRE(run_until(
      io, [&] { return errors == 1; }, 5000ms));
  CHECK(sender->counts()[0].errors == 1);

  for (const char* bad : {"", "relay.flashbots.net"}) {
    INFO(bad);
    options.endpoint_urls = {bad};
    CHECK_FALSE(keeper::ofa::MevShareSender::create(io, searcher(), options));
  }
  // https is taken (TLS, builder_tls_test.cpp), unless the CA file given does not load.
  options.endpoint_urls = {"https://relay.flashbots.net"};
  CHECK(keeper::ofa::MevShareSender::create(io, searcher(), options));
  options.tls_ca_file = "/nonexistent/ca.pem";
  CHECK_FALSE(keeper::ofa::MevShareSender::create(io, searcher(), options));
  options.tls_ca_file.reset();
  options.endpoint_urls = {};
  CHECK_FALSE(keeper::ofa::MevShareSender::create(io, searcher(), options));
}

TEST_CASE("the backrun's tip is bidding.hpp's policy at the auction's share", "[ofa][bundle]") {
  strategy::FeeContext fees;
  fees.next_base_fee_wei = chain::u256{10'000'000'000ULL};                // 10 gwei
  fees.native_price_base = chain::u256{2000} * chain::u256{100'000'000};  // $2000, 8 decimals
  strategy::BidPolicy policy;
  policy.max_priority_fee_wei = chain::u256{1'000'000'000'000ULL};  // 1000 gwei
  policy.max_fee_per_gas_wei = chain::u256{2'000'000'000'000ULL};
  policy.min_net_profit_base = chain::u256{100'000'000};  // $1
  strategy::BidRequest request;
  request.gross_profit_base = chain::u256{500} * chain::u256{100'000'000};  // $500
  request.gas_used = 500'000;
  const auto half = keeper::ofa::backrun_bid(request, fees, policy, 500'000);
  const auto most = keeper::ofa::backrun_bid(request, fees, policy, 900'000);
  REQUIRE(half);
  REQUIRE(most);
  const auto public_path = strategy::place_bid(request, fees, [&] {
    auto p = policy;
    p.bid_share_ppm = 500'000;
    return p;
  }());
  REQUIRE(public_path);
  CHECK(half->max_priority_fee_per_gas == public_path->max_priority_fee_per_gas);
  CHECK(most->max_priority_fee_per_gas > half->max_priority_fee_per_gas);
  CHECK(most->net_profit_base >= chain::i256{100'000'000});
}
