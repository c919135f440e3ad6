#pragma once
// Answers a hinted oracle update with one mev_sendBundle per liquidation, to every configured
// MEV-Share endpoint (https://relay.flashbots.net on mainnet), signed with the searcher key like
// eth_sendBundle. Runs on the caller's io_context over the builders' HTTP client (kept-alive
// connections, a deadline per request); counts and latency per endpoint go to /metrics as the
// bundle executor's do (keeper_bundles_total{builder,outcome}, keeper_bundle_request_seconds).
//
// Wiring (the engine's side): for an update from OfaCollector, sign each liquidation as for the
// public path, with the tip from backrun_bid() (bidding.hpp's policy at the auction's share),
// then send(update.update_hash, raw, head + 1, head + blocks). A MEV-Share bundle names its
// block range itself, so nothing needs re-sending at later heads.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <tl/expected.hpp>

#include "chain/bytes.hpp"
#include "chain/signer.hpp"
#include "keeper/executors/builder_client.hpp"
#include "keeper/executors/bundle_executor.hpp"
#include "keeper/ofa/mev_share_bundle.hpp"
#include "strategy/bidding.hpp"

namespace keeper::ops {
class Metrics;
}

namespace keeper::ofa {

struct MevShareSenderOptions {
  std::vector<std::string> endpoint_urls;  // mev_sendBundle endpoints
  std::chrono::milliseconds request_timeout{2000};
  std::optional<std::uint32_t> refund_percent;  // validity.refund for body[0]; see the bundle
  std::vector<std::string> builders;            // privacy.builders; empty: MEV-Share's default
  std::uint64_t max_range_blocks = 25;          // refuses a block range wider than this
  // PEM certificates trusted for https endpoints besides the system's (a private CA).
  std::optional<std::string> tls_ca_file{};
};

enum class MevShareSendError : std::uint8_t {
  bad_block_range,  // max_block below block, block 0, or wider than max_range_blocks
  empty_backrun,    // no signed transaction
  signing_failed,   // the searcher key could not sign the body
};

[[nodiscard]] std::string_view describe(MevShareSendError e) noexcept;

using MevShareBundleId = std::uint64_t;

class MevShareSender {
 public:
  // Refuses an empty endpoint list, a URL that does not parse, and https (the builders' HTTP
  // client speaks plain HTTP only for now).
  static tl::expected<std::unique_ptr<MevShareSender>, std::string> create(
      boost::asio::io_context& io, chain::PrivateKey searcher, MevShareSenderOptions options,
      ops::Metrics* metrics = nullptr);
  ~MevShareSender();
  MevShareSender(const MevShareSender&) = delete;
  MevShareSender& operator=(const MevShareSender&) = delete;

  // Sends [{hash: update_hash}, {tx: raw_liquidation, canRevert: false}] for blocks
  // block..max_block to every endpoint; returns at once with the bundle's id.
  tl::expected<MevShareBundleId, MevShareSendError> send(const chain::Hash& update_hash,
                                                         const chain::Bytes& raw_liquidation,
                                                         std::uint64_t block,
                                                         std::uint64_t max_block);

  [[nodiscard]] std::vector<executors::BuilderCounts> counts() const { return counts_; }
  // Every endpoint's answer: (bundle, endpoint index, result).
  std::function<void(MevShareBundleId, std::size_t, const executors::BuilderResult&)> on_answer;

 private:
  MevShareSender(chain::PrivateKey searcher, MevShareSenderOptions options, ops::Metrics* metrics,
                 std::vector<std::shared_ptr<executors::BuilderClient>> clients);
  void record(MevShareBundleId id, std::size_t endpoint, const executors::BuilderResult& result,
              std::chrono::nanoseconds latency);

  chain::PrivateKey searcher_;
  MevShareSenderOptions options_;
  ops::Metrics* metrics_;
  std::vector<std::shared_ptr<executors::BuilderClient>> clients_;
  std::vector<executors::BuilderCounts> counts_;
  MevShareBundleId next_id_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The tip of a liquidation sent as an auction backrun: bidding.hpp's policy (caps, profit floor,
// gas valued at the expected fee) with `share_ppm` of the profit per gas above the base fee
// offered to the block ([submission] mev_share_bid_share; the public path's [strategy]
// bid_share when unset). The whole tip is the bid the auction ranks; MEV-Share refunds its
// share of it to the update's sender (for SVR, the protocol and Chainlink).
[[nodiscard]] tl::expected<strategy::Bid, strategy::BidRefusal> backrun_bid(
    const strategy::BidRequest& request, const strategy::FeeContext& fees,
    strategy::BidPolicy policy, std::uint32_t share_ppm);

}  // namespace keeper::ofa
