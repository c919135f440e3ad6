#include "keeper/executors/bundle_executor.hpp"

#include <algorithm>

#include "chain/rpc/http_url.hpp"
#include "keeper/executors/flashbots_signature.hpp"
#include "keeper/ops/metrics.hpp"

namespace keeper::executors {

std::string_view describe(BundleState s) noexcept {
  switch (s) {
    case BundleState::pending: return "pending";
    case BundleState::included: return "included";
    case BundleState::partial: return "partly included";
    case BundleState::stale: return "stale";
    case BundleState::cancelled: return "cancelled";
  }
  return "unknown";
}

tl::expected<std::unique_ptr<BundleExecutor>, std::string> BundleExecutor::create(
    boost::asio::io_context& io, chain::PrivateKey searcher, BundleExecutorOptions options,
    ops::Metrics* metrics) {
  if (options.builder_urls.empty()) return tl::unexpected(std::string{"no builder configured"});
  if (options.max_blocks == 0) return tl::unexpected(std::string{"max_blocks must be > 0"});
  std::vector<std::shared_ptr<BuilderClient>> clients;
  std::shared_ptr<boost::asio::ssl::context> tls;
  for (const auto& text : options.builder_urls) {
    auto url = chain::rpc::parse_http_url(text);
    if (!url) return tl::unexpected("builder '" + text + "': " + url.error());
    if (url->tls && !tls) {
      auto made = BuilderClient::tls_context(options.tls_ca_file);
      if (!made) return tl::unexpected("builder '" + text + "': " + made.error());
      tls = std::move(*made);
    }
    clients.push_back(BuilderClient::make(io, std::move(*url), options.request_timeout,
                                          url->tls ? tls : nullptr));
  }
  return std::unique_ptr<BundleExecutor>(
      new BundleExecutor(std::move(searcher), std::move(options), metrics, std::move(clients)));
}

BundleExecutor::BundleExecutor(chain::PrivateKey searcher, BundleExecutorOptions options,
                               ops::Metrics* metrics,
                               std::vector<std::shared_ptr<BuilderClient>> clients)
    : searcher_{std::move(searcher)},
      options_{std::move(options)},
      metrics_{metrics},
      clients_{std::move(clients)} {
  for (const auto& c : clients_) counts_.push_back(BuilderCounts{c->label()});
}

BundleExecutor::~BundleExecutor() {
  alive_.reset();
  for (auto& c : clients_) c->close();
}

BundleId BundleExecutor::submit(Bundle bundle) {
  const BundleId id = next_id_++;
  Tracked t;
  t.first_target = bundle.block_number;
  for (const auto& raw : bundle.txs) {
    t.hashes.push_back(transaction_hash(raw));
    by_tx_[t.hashes.back()] = id;
  }
  t.seen.assign(t.hashes.size(), false);
  t.bundle = std::move(bundle);
  auto [it, inserted] = bundles_.emplace(id, std::move(t));
  send(id, it->second);
  return id;
}

void BundleExecutor::send(BundleId id, Tracked& tracked) {
  const std::string body = send_bundle_body(tracked.bundle, next_request_id_++);
  auto header = flashbots_signature(searcher_, body);
  const std::uint64_t target = tracked.bundle.block_number;
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    if (!header) {
      record(id, i, target, tl::unexpected(BuilderError::closed), std::chrono::nanoseconds{0});
      continue;
    }
    ++counts_[i].sent;
    if (metrics_) metrics_->count_bundle(clients_[i]->label(), "sent");
    std::weak_ptr<bool> alive = alive_;
    clients_[i]->post(body, *header,
                      [this, alive, id, i, target](const BuilderResult& result,
                                                   std::chrono::nanoseconds latency) {
                        if (alive.expired()) return;
                        record(id, i, target, result, latency);
                      });
  }
}

void BundleExecutor::record(BundleId id, std::size_t builder, std::uint64_t target,
                            const BuilderResult& result, std::chrono::nanoseconds latency) {
  BuilderCounts& c = counts_[builder];
  c.last_latency = latency;
  if (result)
    ++c.accepted;
  else
    ++c.errors;
  if (metrics_) {
    metrics_->count_bundle(c.builder, result ? "accepted" : "error");
    metrics_->observe_bundle_latency(c.builder, latency);
  }
  if (on_answer) on_answer(id, builder, target, result);
}

void BundleExecutor::settle(BundleId id, Tracked& tracked, BundleState state) {
  tracked.state = state;
  for (const auto& h : tracked.hashes) {
    const auto it = by_tx_.find(h);
    if (it != by_tx_.end() && it->second == id) by_tx_.erase(it);
  }
}

void BundleExecutor::report(const std::vector<std::pair<BundleId, BundleState>>& settled) {
  if (!on_settled) return;
  for (const auto& [id, state] : settled) on_settled(id, state);
}

void BundleExecutor::included(const chain::Hash& tx_hash) {
  const auto owner = by_tx_.find(tx_hash);
  if (owner == by_tx_.end()) return;
  Tracked& t = bundles_.at(owner->second);
  for (std::size_t i = 0; i < t.hashes.size(); ++i)
    if (t.hashes[i] == tx_hash) t.seen[i] = true;
  if (std::all_of(t.seen.begin(), t.seen.end(), [](bool b) { return b; })) {
    const BundleId id = owner->second;
    settle(id, t, BundleState::included);
    report({{id, BundleState::included}});
  }
}

void BundleExecutor::on_head(std::uint64_t number) {
  // Reported after the loop: a callback may submit, which would invalidate the iteration.
  std::vector<std::pair<BundleId, BundleState>> settled;
  for (auto& [id, t] : bundles_) {
    if (t.state != BundleState::pending) continue;
    if (std::any_of(t.seen.begin(), t.seen.end(), [](bool b) { return b; })) {
      settle(id, t, BundleState::partial);  // included() settles the whole case
      settled.emplace_back(id, BundleState::partial);
      continue;
    }
    if (number < t.bundle.block_number) continue;  // its target is still ahead
    const std::uint64_t next = number + 1;
    if (next >= t.first_target + options_.max_blocks) {
      settle(id, t, BundleState::stale);
      settled.emplace_back(id, BundleState::stale);
      continue;
    }
    t.bundle.block_number = next;
    send(id, t);
  }
  // Settled bundles are kept a while for state(); forget those well behind the head.
  std::erase_if(bundles_, [&](const auto& entry) {
    const Tracked& t = entry.second;
    return t.state != BundleState::pending &&
           t.bundle.block_number + options_.max_blocks + 16 < number;
  });
  report(settled);
}

void BundleExecutor::cancel(BundleId id) {
  const auto it = bundles_.find(id);
  if (it == bundles_.end() || it->second.state != BundleState::pending) return;
  settle(id, it->second, BundleState::cancelled);
  report({{id, BundleState::cancelled}});
}

std::optional<BundleState> BundleExecutor::state(BundleId id) const {
  const auto it = bundles_.find(id);
  if (it == bundles_.end()) return std::nullopt;
  return it->second.state;
}

std::optional<std::uint64_t> BundleExecutor::target_block(BundleId id) const {
  const auto it = bundles_.find(id);
  if (it == bundles_.end()) return std::nullopt;
  return it->second.bundle.block_number;
}

std::size_t BundleExecutor::pending() const {
  return static_cast<std::size_t>(
      std::count_if(bundles_.begin(), bundles_.end(),
                    [](const auto& e) { return e.second.state == BundleState::pending; }));
}

}  // namespace keeper::executors
