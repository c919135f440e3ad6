#pragma once
// The daemon's block builders, from `[submission]`: the executor that sends bundles, signed by a
// searcher key of its own (read from the environment variable the config names, never printed).
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <tl/expected.hpp>

#include "config/keeper_config.hpp"
#include "keeper/engine/block_pipeline.hpp"
#include "keeper/executors/bundle_executor.hpp"
#include "keeper/ofa/mev_share_sender.hpp"
#include "keeper/ofa/ofa_collector.hpp"
#include "keeper/ops/log.hpp"
#include "keeper/ops/metrics.hpp"

namespace keeper {

[[nodiscard]] engine::Submission submission_mode(const config::SubmissionConfig& c);

// Null for mode "public". Refuses a missing or malformed searcher key, and one that is the
// wallet's: the searcher key only identifies keeper to builders and must hold no funds.
[[nodiscard]] tl::expected<std::unique_ptr<executors::BundleExecutor>, std::string>
start_bundle_executor(boost::asio::io_context& io, const config::SubmissionConfig& c,
                      const chain::Address& wallet, ops::Metrics& metrics);

// Null without `mev_share_endpoints`: the order-flow auctions keeper answers hints on, with
// mev_sendBundle signed by the same searcher key.
[[nodiscard]] tl::expected<std::unique_ptr<ofa::MevShareSender>, std::string> start_auction_sender(
    boost::asio::io_context& io, const config::SubmissionConfig& c, const chain::Address& wallet,
    ops::Metrics& metrics);

// Null without `mev_share_streams`: the hint streams, following no aggregator yet (the engines
// name theirs as they follow their price sources).
[[nodiscard]] tl::expected<std::unique_ptr<ofa::OfaCollector>, std::string> start_hint_streams(
    boost::asio::io_context& io, const config::SubmissionConfig& c, const ops::Log& log,
    ops::Metrics& metrics);

}  // namespace keeper
