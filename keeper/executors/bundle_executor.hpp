#pragma once
// Sends each bundle to every configured builder at once, on the caller's io_context, and keeps
// it alive: on every new head a bundle not yet included is re-targeted at the next block and sent
// again, until its transactions are seen included, it goes stale, or the caller cancels it.
//
// The engine drives it from its loop: submit(bundle) when it decides; included(hash) for each
// transaction of each new block, then on_head(number) for that block.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <tl/expected.hpp>

#include "chain/signer.hpp"
#include "keeper/executors/builder_client.hpp"
#include "keeper/executors/bundle.hpp"

namespace keeper::ops {
class Metrics;
}

namespace keeper::executors {

struct BundleExecutorOptions {
  std::vector<std::string> builder_urls;  // http://host:port/path
  std::chrono::milliseconds request_timeout{2000};
  // A bundle is offered for at most this many consecutive blocks, from its first target.
  std::uint64_t max_blocks = 3;
  // PEM certificates trusted for https builders besides the system's (a private CA).
  std::optional<std::string> tls_ca_file{};
};

using BundleId = std::uint64_t;

enum class BundleState : std::uint8_t {
  pending,    // offered for its current target block
  included,   // every transaction was seen in a block
  partial,    // some transactions were mined without the others: it can no longer land whole
  stale,      // max_blocks passed without inclusion
  cancelled,  // the caller withdrew it (e.g. the oracle update it backruns was replaced)
};

[[nodiscard]] std::string_view describe(BundleState s) noexcept;

struct BuilderCounts {
  std::string builder;  // host:port
  std::uint64_t sent = 0;
  std::uint64_t accepted = 0;
  std::uint64_t errors = 0;
  std::chrono::nanoseconds last_latency{0};
};

class BundleExecutor {
 public:
  // Refuses an empty builder list, a URL that does not parse, and a CA file that does not load.
  static tl::expected<std::unique_ptr<BundleExecutor>, std::string> create(
      boost::asio::io_context& io, chain::PrivateKey searcher, BundleExecutorOptions options,
      ops::Metrics* metrics = nullptr);
  ~BundleExecutor();
  BundleExecutor(const BundleExecutor&) = delete;
  BundleExecutor& operator=(const BundleExecutor&) = delete;

  // Offers the bundle for bundle.block_number to every builder; returns at once.
  BundleId submit(Bundle bundle);
  // A new head: pending bundles whose target is at or below it move to number + 1 (and are sent
  // again), or become stale / partial.
  void on_head(std::uint64_t number);
  // A transaction seen in a block (any block keeper follows).
  void included(const chain::Hash& tx_hash);
  void cancel(BundleId id);

  [[nodiscard]] std::optional<BundleState> state(BundleId id) const;
  [[nodiscard]] std::optional<std::uint64_t> target_block(BundleId id) const;
  [[nodiscard]] std::size_t pending() const;
  // The last block a bundle submitted for `first_target` may land in.
  [[nodiscard]] std::uint64_t last_block(std::uint64_t first_target) const noexcept {
    return first_target + options_.max_blocks - 1;
  }
  [[nodiscard]] std::vector<BuilderCounts> counts() const { return counts_; }
  // Every builder answer, for logs and tests: (bundle, builder index, target block, result).
  std::function<void(BundleId, std::size_t, std::uint64_t, const BuilderResult&)> on_answer;
  // A bundle leaving the pending state.
  std::function<void(BundleId, BundleState)> on_settled;

 private:
  struct Tracked {
    Bundle bundle;
    std::vector<chain::Hash> hashes;
    std::vector<bool> seen;
    std::uint64_t first_target = 0;
    BundleState state = BundleState::pending;
  };

  BundleExecutor(chain::PrivateKey searcher, BundleExecutorOptions options, ops::Metrics* metrics,
                 std::vector<std::shared_ptr<BuilderClient>> clients);
  void send(BundleId id, Tracked& tracked);
  void settle(BundleId id, Tracked& tracked, BundleState state);
  void report(const std::vector<std::pair<BundleId, BundleState>>& settled);
  void record(BundleId id, std::size_t builder, std::uint64_t target, const BuilderResult& result,
              std::chrono::nanoseconds latency);

  chain::PrivateKey searcher_;
  BundleExecutorOptions options_;
  ops::Metrics* metrics_;
  std::vector<std::shared_ptr<BuilderClient>> clients_;
  std::vector<BuilderCounts> counts_;
  std::unordered_map<BundleId, Tracked> bundles_;
  std::unordered_map<chain::Hash, BundleId, chain::FixedBytesHash> by_tx_;
  BundleId next_id_ = 1;
  std::uint64_t next_request_id_ = 1;
  // Answers arriving after the executor is gone find this expired and touch nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace keeper::executors
