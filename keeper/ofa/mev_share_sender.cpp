#include "keeper/ofa/mev_share_sender.hpp"

#include "chain/rpc/http_url.hpp"
#include "keeper/executors/flashbots_signature.hpp"
#include "keeper/ops/metrics.hpp"

namespace keeper::ofa {

std::string_view describe(MevShareSendError e) noexcept {
  switch (e) {
    case MevShareSendError::bad_block_range: return "the inclusion block range is not valid";
    case MevShareSendError::empty_backrun: return "no signed backrun transaction";
    case MevShareSendError::signing_failed: return "the searcher key could not sign the bundle";
  }
  return "unknown mev_sendBundle error";
}

tl::expected<std::unique_ptr<MevShareSender>, std::string> MevShareSender::create(
    boost::asio::io_context& io, chain::PrivateKey searcher, MevShareSenderOptions options,
    ops::Metrics* metrics) {
  if (options.endpoint_urls.empty())
    return tl::unexpected(std::string{"no MEV-Share endpoint configured"});
  std::vector<std::shared_ptr<executors::BuilderClient>> clients;
  std::shared_ptr<boost::asio::ssl::context> tls;
  for (const auto& text : options.endpoint_urls) {
    auto url = chain::rpc::parse_http_url(text);
    if (!url) return tl::unexpected("MEV-Share endpoint '" + text + "': " + url.error());
    if (url->tls && !tls) {
      auto made = executors::BuilderClient::tls_context(options.tls_ca_file);
      if (!made) return tl::unexpected("MEV-Share endpoint '" + text + "': " + made.error());
      tls = std::move(*made);
    }
    clients.push_back(executors::BuilderClient::make(io, std::move(*url), options.request_timeout,
                                                     url->tls ? tls : nullptr));
  }
  return std::unique_ptr<MevShareSender>(
      new MevShareSender(std::move(searcher), std::move(options), metrics, std::move(clients)));
}

MevShareSender::MevShareSender(chain::PrivateKey searcher, MevShareSenderOptions options,
                               ops::Metrics* metrics,
                               std::vector<std::shared_ptr<executors::BuilderClient>> clients)
    : searcher_{std::move(searcher)},
      options_{std::move(options)},
      metrics_{metrics},
      clients_{std::move(clients)} {
  for (const auto& c : clients_) counts_.push_back(executors::BuilderCounts{c->label()});
}

MevShareSender::~MevShareSender() {
  alive_.reset();
  for (auto& c : clients_) c->close();
}

tl::expected<MevShareBundleId, MevShareSendError> MevShareSender::send(
    const chain::Hash& update_hash, const chain::Bytes& raw_liquidation, std::uint64_t block,
    std::uint64_t max_block) {
  if (block == 0 || max_block < block || max_block - block >= options_.max_range_blocks)
    return tl::unexpected(MevShareSendError::bad_block_range);
  if (raw_liquidation.empty()) return tl::unexpected(MevShareSendError::empty_backrun);
  MevShareBundle bundle;
  bundle.update_hash = update_hash;
  bundle.backrun = raw_liquidation;
  bundle.block = block;
  bundle.max_block = max_block;
  bundle.refund_percent = options_.refund_percent;
  bundle.builders = options_.builders;
  const MevShareBundleId id = next_id_++;
  const std::string body = mev_send_bundle_body(bundle, id);
  auto header = executors::flashbots_signature(searcher_, body);
  if (!header) return tl::unexpected(MevShareSendError::signing_failed);
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    ++counts_[i].sent;
    if (metrics_) metrics_->count_bundle(clients_[i]->label(), "sent");
    std::weak_ptr<bool> alive = alive_;
    clients_[i]->post(body, *header,
                      [this, alive, id, i](const executors::BuilderResult& result,
                                           std::chrono::nanoseconds latency) {
                        if (alive.expired()) return;
                        record(id, i, result, latency);
                      });
  }
  return id;
}

void MevShareSender::record(MevShareBundleId id, std::size_t endpoint,
                            const executors::BuilderResult& result,
                            std::chrono::nanoseconds latency) {
  executors::BuilderCounts& c = counts_[endpoint];
  c.last_latency = latency;
  if (result)
    ++c.accepted;
  else
    ++c.errors;
  if (metrics_) {
    metrics_->count_bundle(c.builder, result ? "accepted" : "error");
    metrics_->observe_bundle_latency(c.builder, latency);
  }
  if (on_answer) on_answer(id, endpoint, result);
}

tl::expected<strategy::Bid, strategy::BidRefusal> backrun_bid(const strategy::BidRequest& request,
                                                              const strategy::FeeContext& fees,
                                                              strategy::BidPolicy policy,
                                                              std::uint32_t share_ppm) {
  policy.bid_share_ppm = share_ppm;
  return strategy::place_bid(request, fees, policy);
}

}  // namespace keeper::ofa
