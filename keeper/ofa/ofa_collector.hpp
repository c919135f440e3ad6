#pragma once
// The order-flow-auction collector: follows every configured MEV-Share event stream, reads each
// hint, and hands the engine each pending update of an aggregator it follows, with the answer
// it will set and the hash a backrun bundle must name. The same update seen on two streams is
// handed over once.
//
// Wiring (the engine's side): create() at start with [submission] mev_share_streams and the
// aggregators the market's price sources read; start(io-bound callback); for each update the
// callback receives, price the crossed accounts at `answer` (as for a pending transmit from the
// mempool) and answer each liquidation with MevShareSender::send(update_hash, raw, head + 1,
// head + N). stop() at shutdown. Everything runs on the io_context's thread.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <tl/expected.hpp>

#include "chain/sse/sse_client.hpp"
#include "keeper/ofa/mev_share_hint.hpp"
#include "keeper/ofa/oracle_hints.hpp"

namespace keeper::ops {
class Log;
class Metrics;
}  // namespace keeper::ops

namespace keeper::ofa {

struct OfaCollectorOptions {
  std::vector<std::string> stream_urls;  // e.g. https://mev-share.flashbots.net
  // A transmit's hint is ~2 KB; 256 KiB bounds what one event may make keeper hold.
  chain::sse::SseLimits limits{256 * 1024, 256 * 1024};
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds idle_timeout{45000};
  std::chrono::milliseconds reconnect_base{250};
  std::chrono::milliseconds reconnect_cap{15000};
};

struct OfaCounts {
  std::uint64_t events = 0;      // events received, every stream
  std::uint64_t malformed = 0;   // events whose data is not a hint (counted, skipped)
  std::uint64_t updates = 0;     // updates handed to the engine
  std::uint64_t duplicates = 0;  // an update already handed over (another stream, a replay)
  HintCounts hints;              // the reader's: per skip reason
};

class OfaCollector {
 public:
  using OnUpdate = std::function<void(const HintedUpdate&)>;

  // Refuses an empty stream list or a URL that is not http(s)://.
  static tl::expected<std::unique_ptr<OfaCollector>, std::string> create(
      boost::asio::io_context& io, OfaCollectorOptions options,
      std::unordered_set<chain::Address> aggregators, const ops::Log* log = nullptr,
      ops::Metrics* metrics = nullptr);
  ~OfaCollector();
  OfaCollector(const OfaCollector&) = delete;
  OfaCollector& operator=(const OfaCollector&) = delete;

  // Connects to every stream; `on_update` runs on the io_context for each new update.
  void start(OnUpdate on_update);
  void stop();

  // A proxy that changed aggregator: follow the new one.
  void follow(const chain::Address& aggregator) { reader_.follow(aggregator); }
  void unfollow(const chain::Address& aggregator) { reader_.unfollow(aggregator); }

  // Reads one event's data as if a stream had delivered it (the streams call this).
  void on_event_data(const std::string& stream, std::string_view data);

  [[nodiscard]] OfaCounts counts() const;
  [[nodiscard]] const std::vector<std::shared_ptr<chain::sse::SseClient>>& streams() const {
    return streams_;
  }

 private:
  OfaCollector(std::vector<std::shared_ptr<chain::sse::SseClient>> streams,
               std::unordered_set<chain::Address> aggregators, const ops::Log* log,
               ops::Metrics* metrics);
  bool remember(const chain::Hash& update_hash, const chain::Address& aggregator);

  std::vector<std::shared_ptr<chain::sse::SseClient>> streams_;
  OracleHintReader reader_;
  const ops::Log* log_;
  ops::Metrics* metrics_;
  OnUpdate on_update_;
  OfaCounts counts_;
  // (update hash, aggregator) of recent updates, oldest first: bounded dedup across streams.
  std::deque<std::pair<chain::Hash, chain::Address>> recent_;
};

}  // namespace keeper::ofa
