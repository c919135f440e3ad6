#include "keeper/ofa/ofa_collector.hpp"

#include <algorithm>

#include "chain/hex.hpp"
#include "keeper/ops/log.hpp"
#include "keeper/ops/metrics.hpp"

namespace keeper::ofa {

namespace {
constexpr std::size_t kRecentUpdates = 1024;
}

tl::expected<std::unique_ptr<OfaCollector>, std::string> OfaCollector::create(
    boost::asio::io_context& io, OfaCollectorOptions options,
    std::unordered_set<chain::Address> aggregators, const ops::Log* log, ops::Metrics* metrics) {
  if (options.stream_urls.empty()) return tl::unexpected(std::string{"no MEV-Share stream"});
  std::vector<std::shared_ptr<chain::sse::SseClient>> streams;
  for (const auto& url : options.stream_urls) {
    chain::sse::SseClientOptions o;
    o.url = url;
    o.limits = options.limits;
    o.connect_timeout = options.connect_timeout;
    o.idle_timeout = options.idle_timeout;
    o.reconnect_base = options.reconnect_base;
    o.reconnect_cap = options.reconnect_cap;
    auto client = chain::sse::SseClient::create(io, std::move(o));
    if (!client) return tl::unexpected(client.error());
    streams.push_back(std::move(*client));
  }
  return std::unique_ptr<OfaCollector>(
      new OfaCollector(std::move(streams), std::move(aggregators), log, metrics));
}

OfaCollector::OfaCollector(std::vector<std::shared_ptr<chain::sse::SseClient>> streams,
                           std::unordered_set<chain::Address> aggregators, const ops::Log* log,
                           ops::Metrics* metrics)
    : streams_{std::move(streams)}, reader_{std::move(aggregators)}, log_{log}, metrics_{metrics} {}

OfaCollector::~OfaCollector() { stop(); }

void OfaCollector::start(OnUpdate on_update) {
  on_update_ = std::move(on_update);
  for (auto& s : streams_) {
    const std::string label = s->label();
    s->start([this, label](const chain::sse::SseEvent& e) { on_event_data(label, e.data); },
             [this, label](chain::sse::SseState state, const std::string& why) {
               if (!log_ || state == chain::sse::SseState::connecting) return;
               const auto level =
                   state == chain::sse::SseState::waiting ? ops::Level::warn : ops::Level::info;
               log_->event(
                   level, "mev_share_stream",
                   {{"stream", label}, {"state", chain::sse::describe(state)}, {"why", why}},
                   "MEV-Share stream " + label + ": " + std::string{chain::sse::describe(state)} +
                       " (" + why + ")");
             });
  }
}

void OfaCollector::stop() {
  for (auto& s : streams_) s->stop();
}

bool OfaCollector::remember(const chain::Hash& update_hash, const chain::Address& aggregator) {
  const auto key = std::pair{update_hash, aggregator};
  if (std::find(recent_.begin(), recent_.end(), key) != recent_.end()) return false;
  recent_.push_back(key);
  if (recent_.size() > kRecentUpdates) recent_.pop_front();
  return true;
}

void OfaCollector::on_event_data(const std::string& stream, std::string_view data) {
  ++counts_.events;
  auto hint = parse_hint(data);
  if (!hint) {
    ++counts_.malformed;
    if (metrics_) metrics_->count_event("mev_share_hint_malformed");
    if (log_ && log_->enabled(ops::Level::debug))
      log_->event(ops::Level::debug, "mev_share_hint_malformed",
                  {{"stream", stream}, {"reason", describe(hint.error())}},
                  "MEV-Share hint skipped: " + std::string{describe(hint.error())});
    return;
  }
  const HintReading reading = reader_.read(*hint);
  if (reading.updates.empty()) {
    // Most of the stream is other people's swaps: only a skip that named a followed aggregator
    // is worth a line.
    if (reading.skip && *reading.skip != HintSkip::not_followed) {
      if (metrics_) metrics_->count_event("mev_share_hint_" + std::string{describe(*reading.skip)});
      if (log_) {
        nlohmann::json fields{{"stream", stream},
                              {"hint", chain::hex_encode(hint->hash)},
                              {"reason", describe(*reading.skip)}};
        std::string text =
            "MEV-Share hint " + chain::hex_encode(hint->hash) +
            " names a followed aggregator but was skipped: " + std::string{describe(*reading.skip)};
        if (reading.error) {
          fields["error"] = oracles::chainlink::describe(*reading.error);
          text += " (" + std::string{oracles::chainlink::describe(*reading.error)} + ")";
        }
        log_->event(ops::Level::warn, "mev_share_hint_skipped", fields, text);
      }
    }
    return;
  }
  for (const auto& update : reading.updates) {
    if (!remember(update.update_hash, update.aggregator)) {
      ++counts_.duplicates;
      continue;
    }
    ++counts_.updates;
    if (metrics_) metrics_->count_event("mev_share_update");
    if (log_)
      log_->info("mev_share_update",
                 {{"stream", stream},
                  {"update", chain::hex_encode(update.update_hash)},
                  {"aggregator", update.aggregator.checksummed()},
                  {"answer", update.answer.str()},
                  {"form", describe(update.kind)}},
                 "MEV-Share hint " + chain::hex_encode(update.update_hash) + " updates " +
                     update.aggregator.checksummed() + " to " + update.answer.str() + " (" +
                     std::string{describe(update.kind)} + ")");
    if (on_update_) on_update_(update);
  }
}

OfaCounts OfaCollector::counts() const {
  OfaCounts c = counts_;
  c.hints = reader_.counts();
  return c;
}

}  // namespace keeper::ofa
