#include "keeper/daemon/head_source.hpp"

#include <boost/asio/post.hpp>

namespace keeper::daemon {

namespace {
// Enough to tell a repeat from a replacement for any reorg keeper follows.
constexpr std::size_t kRecentHeads = 256;
}  // namespace

HeadSource::HeadSource(boost::asio::io_context& io, chain::rpc::RpcClient& rpc, const ops::Log& log,
                       HeadSourceOptions options, std::function<bool()> socket_live, OnHead on_head)
    : io_{io},
      timer_{io},
      rpc_{rpc},
      log_{log},
      options_{options},
      socket_live_{std::move(socket_live)},
      on_head_{std::move(on_head)} {}

void HeadSource::start() {
  running_ = true;
  schedule();
}

void HeadSource::stop() {
  running_ = false;
  queue_.clear();
  timer_.cancel();
}

void HeadSource::schedule() {
  if (!running_) return;
  timer_.expires_after(options_.poll_interval);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    poll_once();
    schedule();
  });
}

void HeadSource::on_socket_head(const chain::rpc::BlockHeader& head) {
  ++counters_.from_socket;
  accept(head);
}

void HeadSource::poll_once() {
  if (socket_live_()) {
    if (polling_) {
      polling_ = false;
      log_.info("heads", {{"source", "socket"}, {"polled", counters_.polled}},
                "websocket back: heads from the socket again, polling stopped");
    }
    return;
  }
  if (!polling_) {
    polling_ = true;
    log_.event(ops::Level::warn, "heads",
               {{"source", "http"}, {"interval_ms", options_.poll_interval.count()}},
               "websocket down: polling heads over HTTP every " +
                   std::to_string(options_.poll_interval.count()) + " ms");
  }
  auto latest = rpc_.block(std::string{"latest"});
  if (!latest) {
    ++counters_.poll_failures;
    if (!node_silent_)
      log_.event(ops::Level::warn, "heads", {{"source", "http"}, {"error", latest.error().message}},
                 "no head over HTTP either: " + latest.error().message);
    node_silent_ = true;
    return;
  }
  if (node_silent_) {
    node_silent_ = false;
    log_.info("heads", {{"source", "http"}, {"block", latest->number}},
              "the node answers again at block " + std::to_string(latest->number));
  }
  const auto before = counters_.delivered + queue_.size();
  accept(*latest);
  if (counters_.delivered + queue_.size() > before) ++counters_.polled;
}

void HeadSource::accept(const chain::rpc::BlockHeader& head) {
  if (const auto seen = recent_.find(head.number); seen != recent_.end()) {
    if (seen->second == head.hash) {
      ++counters_.duplicates;
      return;
    }
  }
  if (last_ && head.number <= *last_) {
    // Another block at a height already delivered: the chain reorganised. Forget the old branch
    // above it, so its heads coming back are not taken for repeats.
    ++counters_.replaced;
    recent_.erase(recent_.lower_bound(head.number), recent_.end());
  } else if (last_ && head.number > *last_ + 1) {
    std::uint64_t from = *last_ + 1;
    if (head.number - from > options_.max_fill) {
      log_.event(ops::Level::warn, "heads", {{"from", from}, {"to", head.number - 1}},
                 "gap of " + std::to_string(head.number - from) + " heads: filling the last " +
                     std::to_string(options_.max_fill));
      from = head.number - options_.max_fill;
    }
    for (std::uint64_t n = from; n < head.number; ++n) {
      auto missing = rpc_.block(n);
      if (!missing) {
        log_.event(
            ops::Level::warn, "heads", {{"block", n}, {"error", missing.error().message}},
            "could not read missing head " + std::to_string(n) + ": " + missing.error().message);
        break;  // the head itself still goes: it reads the whole market
      }
      ++counters_.filled;
      enqueue(*missing);
    }
  }
  enqueue(head);
}

void HeadSource::enqueue(const chain::rpc::BlockHeader& head) {
  recent_[head.number] = head.hash;
  while (recent_.size() > kRecentHeads) recent_.erase(recent_.begin());
  last_ = head.number;
  queue_.push_back(head);
  if (!draining_) drain();
}

void HeadSource::drain() {
  if (!running_ || queue_.empty()) {
    draining_ = false;
    return;
  }
  draining_ = true;
  const auto head = queue_.front();
  queue_.pop_front();
  ++counters_.delivered;
  on_head_(head);
  boost::asio::post(io_, [this] { drain(); });
}

}  // namespace keeper::daemon
